import { Client } from 'pg';
import { FlowctlStack } from '../support/flowctl-stack';
import { OwnRedis } from '../support/own-redis';
import { historyProblems } from '../support/run-history';
import { waitFor } from '../support/wait-for';
import { aWorkflow } from '../support/workflow-factory';

describe('chaos: a scheduler killed while a report is in its hands', () => {
  let redis: OwnRedis;
  let stack: FlowctlStack;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    stack = await FlowctlStack.start({ label: 'chaos_report_held', redisUrl: redis.url });
  });

  afterAll(async () => {
    await stack?.stop();
    await redis?.kill();
  });

  it('lets the next scheduler apply the report within seconds, not after BullMQ’s 30 s lock', async () => {
    // Timeouts far away and the worker alive: only the report itself can finish the task.
    await stack.api.applyYaml(
      aWorkflow({ name: 'nap', tasks: [{ name: 'nap', type: 'sleep', timeout: '120s', with: { duration: '1500ms' } }] }),
    );
    const { body: started } = await stack.api.post('/workflows/nap/runs');
    const task = await waitFor(
      async () => {
        const found = (await stack.api.get(`/runs/${started.id}`)).body.tasks[0];
        return found.status === 'running' ? found : undefined;
      },
      { what: 'the task to run' },
    );

    // Writes to task_runs wait behind this lock, so the scheduler takes the outcome report and holds it, mid-batch.
    const blocker = new Client({ connectionString: stack.database.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE task_runs IN EXCLUSIVE MODE');
      // The scheduler applies one batch at a time: once its batch is stuck behind the lock (taken, not
      // acknowledged: pending in the consumer group) and the outcome has been sent, it holds the run's fate.
      const stream = `{${stack.env.FLOWCTL_QUEUE_PREFIX}}:results`;
      const holding = async () => {
        const [pending] = (await redis.command((r) => r.xpending(stream, 'schedulers'))) as [number, ...unknown[]];
        const entries = (await redis.command((r) => r.xrange(stream, '-', '+'))) as [string, string[]][];
        const outcomeSent = entries.some(([, fields]) => {
          const message = JSON.parse(fields[fields.indexOf('m') + 1]!);
          return message.kind === 'succeeded' && message.taskRunId === task.id;
        });
        return pending > 0 && outcomeSent;
      };
      await waitFor(holding, {
        timeoutMs: 15_000,
        what: 'the scheduler to hold a report with the outcome sent',
      });
      await stack.killScheduler();
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
    }
    const killedAt = Date.now();
    await stack.startScheduler();
    const run = await stack.waitForRun(started.id, 60_000);
    const recoveredMs = Date.now() - killedAt;
    console.log(`scheduler kill -9 holding a report -> report applied by its successor, run succeeded ${recoveredMs} ms after the kill`);

    expect(run.status).toBe('succeeded');
    expect(run.tasks[0]).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(await historyProblems(stack.api, started.id, 1)).toEqual([]);
    // What the killed scheduler held was claimed and acknowledged by its successor.
    await waitFor(
      async () =>
        ((await redis.command((r) => r.xpending(`{${stack.env.FLOWCTL_QUEUE_PREFIX}}:results`, 'schedulers'))) as [number])[0] === 0,
      {
        timeoutMs: 15_000,
        what: 'no report left pending',
      },
    );
    // A job lock (BullMQ's 30 s lock and stalled check) would take 30 to 60 s; an idle stream entry is claimed after 5 s.
    expect(recoveredMs).toBeLessThan(25_000);
  }, 90_000);
});
