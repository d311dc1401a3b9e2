import { Client } from 'pg';
import { QueueTransport, type ResultMessage } from '@flowctl/queue';
import { FlowctlStack } from '../support/flowctl-stack';
import { waitFor } from '../support/wait-for';
import { aWorkflow } from '../support/workflow-factory';

/**
 * A worker takes a task and dies; its start report, stuck behind a backlog,
 * reaches the scheduler only after the leader has declared the worker lost.
 * The reports are sent by hand here, as that worker would have, to a task type
 * no live worker serves.
 */
describe('chaos: a start report that arrives after its worker was declared lost', () => {
  let stack: FlowctlStack;
  let transport: QueueTransport;
  const report = (message: ResultMessage) => transport.results().publish(message);

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'chaos_late_start', schedulerEnv: { FLOWCTL_WORKER_LOST_AFTER: '1s' } });
    // The channel workers report on, as the dead worker would have used it.
    transport = new QueueTransport({ redisUrl: stack.env.REDIS_URL, prefix: stack.env.FLOWCTL_QUEUE_PREFIX });
  });

  afterAll(async () => {
    await transport?.close();
    await stack?.stop();
  });

  it('fails the attempt as WorkerLost at once instead of leaving it running until its timeout', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'orphan',
        tasks: [{ name: 'job', type: 'unserved', timeout: '120s', retry: { maxAttempts: 3, initialInterval: '200ms' } }],
      }),
    );
    const { body: started } = await stack.api.post('/workflows/orphan/runs');
    const task = await waitFor(
      async () => {
        const found = (await stack.api.get(`/runs/${started.id}`)).body.tasks[0];
        return found.status === 'queued' ? found : undefined;
      },
      { what: 'the task to be queued' },
    );

    // The ghost's last heartbeat is old: the leader declares it lost.
    const ghost = { id: 'ghost-worker', host: 'gone', types: ['unserved'], concurrency: 1, version: '0.1.0', status: 'active', running: 1 };
    await report({ kind: 'worker', worker: ghost, at: new Date(Date.now() - 10_000).toISOString() } as ResultMessage);
    // Marked in the table by the leader (the API's view also calls a worker lost from its heartbeat's age alone).
    const db = new Client({ connectionString: stack.database.url });
    await db.connect();
    try {
      await waitFor(async () => (await db.query('SELECT status FROM workers WHERE id = $1', [ghost.id])).rows[0]?.status === 'lost', {
        // A worker that registers does not wake the leader's timers; its liveness is checked at their next tick (at most 30 s).
        timeoutMs: 45_000,
        what: 'the leader to mark the ghost worker lost',
      });
    } finally {
      await db.end();
    }

    const startAt = new Date().toISOString();
    await report({ kind: 'started', runId: started.id, taskRunId: task.id, attempt: 1, workerId: ghost.id, at: startAt });
    const sentAt = Date.now();
    const retried = await waitFor(
      async () => {
        const found = (await stack.api.get(`/runs/${started.id}`)).body.tasks[0];
        return found.attempt === 2 ? found : undefined;
      },
      { timeoutMs: 15_000, what: 'attempt 1 to fail and attempt 2 to be queued' },
    );
    console.log(`start report from a lost worker -> attempt failed as WorkerLost and retried ${Date.now() - sentAt} ms later`);

    expect(retried.status).toMatch(/^(retrying|queued)$/);
    const events = (await stack.api.get(`/runs/${started.id}/events`)).body.items as any[];
    expect(events.filter((e) => e.attempt === 1).map((e) => [e.type, e.details?.error?.type ?? null])).toEqual([
      ['task_queued', null],
      ['task_started', null],
      ['task_failed', 'WorkerLost'],
      ['task_retrying', null],
    ]);
  }, 90_000);
});
