import { Client } from 'pg';
import { FlowctlStack } from './support/flowctl-stack';
import { waitFor } from './support/wait-for';
import { aWorkflow } from './support/workflow-factory';

/** Rows of each table that hang off a run, straight from the database. */
async function rowsOf(client: Client, runId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['runs', 'task_runs', 'run_events', 'dead_letters', 'notification_deliveries']) {
    const column = table === 'runs' ? 'id' : 'run_id';
    const { rows } = await client.query<{ count: string }>(`SELECT count(*) FROM ${table} WHERE ${column} = $1`, [runId]);
    counts[table] = Number(rows[0]!.count);
  }
  return counts;
}

describe('retention (FLOWCTL_RETENTION)', () => {
  let stack: FlowctlStack;
  let db: Client;

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'retention', schedulerEnv: { FLOWCTL_RETENTION: '2s' } });
    db = new Client({ connectionString: stack.database.url });
    await db.connect();
    await stack.api.applyYaml(aWorkflow({ name: 'quick', tasks: [{ name: 'a' }, { name: 'b', dependsOn: ['a'] }] }));
    await stack.api.applyYaml(
      aWorkflow({
        name: 'doomed',
        tasks: [{ name: 'broken', type: 'fail', retry: { maxAttempts: 1 }, with: { message: 'no' } }],
        // Its delivery (refused: loopback is not allowlisted) must go with the run, attempts and all.
        spec: { notify: [{ on: ['failed'], webhook: { url: 'http://127.0.0.1:9/hook' } }] },
      }),
    );
    await stack.api.applyYaml(aWorkflow({ name: 'slow', tasks: [{ name: 'nap', type: 'sleep', with: { duration: '60s' } }] }));
    await stack.api.applyYaml(aWorkflow({ name: 'doze', tasks: [{ name: 'nap', type: 'sleep', with: { duration: '2s' } }] }));
  });

  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  it('prunes finished runs with their tasks, events, dead letters and notification deliveries, keeping running and recent runs', async () => {
    const running = (await stack.api.post('/workflows/slow/runs')).body.id as string;
    const succeeded = (await stack.waitForRun((await stack.api.post('/workflows/quick/runs')).body.id)).id as string;
    const failed = await stack.waitForRun((await stack.api.post('/workflows/doomed/runs')).body.id);
    expect(failed.status).toBe('failed');
    // The rows exist before the retention period passes: pruning must have something to remove.
    expect(await rowsOf(db, failed.id)).toEqual({
      runs: 1,
      task_runs: 1,
      run_events: expect.any(Number),
      dead_letters: 1,
      notification_deliveries: 1,
    });
    expect((await rowsOf(db, succeeded)).run_events).toBeGreaterThan(0);

    for (const id of [succeeded, failed.id]) {
      await waitFor(async () => (await stack.api.get(`/runs/${id}`)).status === 404, { timeoutMs: 30_000, what: `run ${id} to be pruned` });
      expect(await rowsOf(db, id)).toEqual({ runs: 0, task_runs: 0, run_events: 0, dead_letters: 0, notification_deliveries: 0 });
    }

    // Finished just now: within its retention period, so it stays.
    const recent = await stack.waitForRun((await stack.api.post('/workflows/quick/runs')).body.id);
    expect((await stack.api.get(`/runs/${recent.id}`)).status).toBe(200);

    const stillRunning = await stack.api.get(`/runs/${running}`);
    expect(stillRunning.status).toBe(200);
    expect(stillRunning.body.status).toBe('running');
    expect((await rowsOf(db, running)).task_runs).toBe(1);
  });

  it('prunes the log lines of a run with it', async () => {
    const runId = (await stack.api.post('/workflows/doze/runs')).body.id as string;
    const task = await waitFor(async () => {
      const { body } = await stack.api.get(`/runs/${runId}/tasks/nap`);
      return body.status === 'running' ? body : undefined;
    });
    const { rows } = await db.query<{ id: string }>(`SELECT id::text FROM task_runs WHERE run_id = $1`, [runId]);
    const taskRunId = rows[0]!.id;
    // As a worker ships them: lines of the running attempt on the results channel.
    await stack
      .queues()
      .results()
      .publish({
        kind: 'logs',
        runId,
        taskRunId,
        attempt: task.attempt,
        workerId: 'w1',
        at: new Date().toISOString(),
        lines: [{ ts: new Date().toISOString(), level: 'info', stream: 'log', message: 'kept until the run goes' }],
      });
    const count = async () =>
      Number((await db.query<{ count: string }>(`SELECT count(*) FROM task_logs WHERE task_run_id = $1`, [taskRunId])).rows[0]!.count);
    await waitFor(async () => (await count()) === 1, { what: 'the line to be stored' });
    await waitFor(async () => (await stack.api.get(`/runs/${runId}`)).status === 404, { timeoutMs: 30_000, what: 'the run to be pruned' });
    expect(await count()).toBe(0);
    const attempts = await db.query(`SELECT 1 FROM task_log_attempts WHERE task_run_id = $1`, [taskRunId]);
    expect(attempts.rowCount).toBe(0);
  });

  it('prunes received events once they are older than the retention period, with their links to runs', async () => {
    await stack.api.applyYaml(aWorkflow({ name: 'on-ping', spec: { on: [{ event: 'ping' }] }, tasks: [{ name: 'a' }] }));
    const sent = await stack.api.post('/events', { name: 'ping', id: 'ping-1', data: {} });
    expect(sent.body.runs).toHaveLength(1);
    const linked = async () => Number((await db.query(`SELECT count(*) FROM event_runs WHERE event_id = 'ping-1'`)).rows[0].count);
    expect(await linked()).toBe(1);
    await waitFor(async () => (await stack.api.get('/events/ping-1')).status === 404, {
      timeoutMs: 30_000,
      what: 'the event to be pruned',
    });
    expect(await linked()).toBe(0);
  });
});
