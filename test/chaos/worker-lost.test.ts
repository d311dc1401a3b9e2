import { Client } from 'pg';
import { FlowctlStack } from '../support/flowctl-stack';
import { OwnRedis } from '../support/own-redis';
import { historyProblems } from '../support/run-history';
import { waitFor } from '../support/wait-for';
import { aWorkflow } from '../support/workflow-factory';

const MAX_ATTEMPTS = 3;

describe('chaos: a worker killed mid-task', () => {
  let redis: OwnRedis;
  let stack: FlowctlStack;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    stack = await FlowctlStack.start({
      label: 'chaos_worker_lost',
      redisUrl: redis.url,
      schedulerEnv: { FLOWCTL_WORKER_LOST_AFTER: '2s' },
      workerEnv: { FLOWCTL_WORKER_HEARTBEAT_INTERVAL: '400ms' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await redis?.kill();
  });

  it("fails the lost worker's attempt as WorkerLost at once and retries it on a live worker", async () => {
    // No heartbeatTimeout and a long start-to-close timeout: only worker liveness can end the attempt quickly.
    await stack.api.applyYaml(
      aWorkflow({
        name: 'long-nap',
        tasks: [
          {
            name: 'nap',
            type: 'sleep',
            timeout: '60s',
            retry: { maxAttempts: MAX_ATTEMPTS, initialInterval: '200ms' },
            with: { duration: '3s' },
          },
        ],
      }),
    );
    const { body: started } = await stack.api.post('/workflows/long-nap/runs');
    const running = await waitFor(
      async () => {
        const task = (await stack.api.get(`/runs/${started.id}`)).body.tasks[0];
        return task.status === 'running' && task.workerId ? task : undefined;
      },
      { what: 'the task to run' },
    );
    // Worker ids are host-pid-suffix: kill the very process running the task, without warning.
    const lostWorker = String(running.workerId);
    process.kill(Number(lostWorker.split('-').at(-2)), 'SIGKILL');
    const killedAt = Date.now();
    stack.startWorker({ FLOWCTL_WORKER_HEARTBEAT_INTERVAL: '400ms' });

    // The killed worker's lock on attempt 1 outlives it (BullMQ's 30 s lock duration); the leader removes
    // the job anyway when it fails the attempt, or BullMQ's stalled check would run attempt 1 again.
    const attemptOneKeys = `{${stack.env.FLOWCTL_QUEUE_PREFIX}}:sleep:t${running.id}-1*`;
    await waitFor(async () => (await redis.command((r) => r.keys(attemptOneKeys))).length === 0, {
      timeoutMs: 15_000,
      what: 'the lost attempt to leave the queue, lock and all',
    });
    const run = await stack.waitForRun(started.id, 30_000);
    const recoveredInMs = Date.now() - killedAt;
    console.log(`worker kill -9 -> run succeeded in ${recoveredInMs} ms (the 3 s task ran again)`);
    expect(run.status).toBe('succeeded');
    expect(run.tasks[0]).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(run.tasks[0].workerId).not.toBe(lostWorker);
    // Far sooner than the 60 s start-to-close timeout (plus its grace) would have ended the attempt.
    expect(recoveredInMs).toBeLessThan(15_000);

    const events = (await stack.api.get(`/runs/${started.id}/events`)).body.items as { type: string; details: any }[];
    expect(events.filter((e) => e.type === 'task_failed').map((e) => e.details.error.type)).toEqual(['WorkerLost']);
    expect(await historyProblems(stack.api, started.id, MAX_ATTEMPTS)).toEqual([]);
    // The lost attempt's log says it may be short: its worker died with lines it had not shipped.
    const taskName = encodeURIComponent(run.tasks[0].name);
    const lostLog = (await stack.api.get(`/runs/${started.id}/tasks/${taskName}/logs?attempt=1`)).body.items as {
      stream: string;
      message: string;
    }[];
    expect(lostLog.at(-1)).toMatchObject({
      stream: 'system',
      message: expect.stringContaining('lines it logged after its last shipped batch may be missing'),
    });

    const workers = (await stack.api.get('/workers')).body.items as { id: string; status: string }[];
    expect(workers.find((w) => w.id === lostWorker)?.status).toBe('lost');
    expect(workers.filter((w) => w.id !== lostWorker).map((w) => w.status)).toEqual(['active']);
    // Marked in the table by the leader, not only computed by the view from the heartbeat's age.
    const db = new Client({ connectionString: stack.database.url });
    await db.connect();
    try {
      expect((await db.query('SELECT status FROM workers WHERE id = $1', [lostWorker])).rows).toEqual([{ status: 'lost' }]);
    } finally {
      await db.end();
    }
  });
});
