import { FlowctlStack } from '../support/flowctl-stack';
import { OwnRedis } from '../support/own-redis';
import { historyProblems } from '../support/run-history';
import { waitFor } from '../support/wait-for';
import { aWorkflow } from '../support/workflow-factory';

const MAX_ATTEMPTS = 3;
const GRACE = '3s';
const WORKER_ENV = { FLOWCTL_WORKER_HEARTBEAT_INTERVAL: '400ms', FLOWCTL_WORKER_GRACE: GRACE };

describe('chaos: SIGTERM on a worker with tasks running', () => {
  let redis: OwnRedis;
  let stack: FlowctlStack;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    stack = await FlowctlStack.start({ label: 'chaos_worker_shutdown', redisUrl: redis.url, workerEnv: WORKER_ENV });
  });

  afterAll(async () => {
    await stack?.stop();
    await redis?.kill();
  });

  it('drains: short tasks finish on it, long ones are handed back to the other worker, and it exits', async () => {
    // Start-to-close timeout and heartbeat timeout far away: only the hand-back can move the long tasks quickly.
    const retry = { maxAttempts: MAX_ATTEMPTS, initialInterval: '200ms' };
    await stack.api.applyYaml(
      aWorkflow({
        name: 'mixed-naps',
        tasks: [
          ...['short-1', 'short-2'].map((name) => ({ name, type: 'sleep', retry, with: { duration: '1500ms' } })),
          ...['long-1', 'long-2'].map((name) => ({ name, type: 'sleep', retry, timeout: '120s', with: { duration: '6s' } })),
        ],
      }),
    );
    const { body: started } = await stack.api.post('/workflows/mixed-naps/runs');
    const [draining] = stack.processesNamed('worker');
    const runningOn = await waitFor(
      async () => {
        const tasks = (await stack.api.get(`/runs/${started.id}`)).body.tasks as any[];
        return tasks.every((t) => t.status === 'running' && t.workerId) ? new Set(tasks.map((t) => t.workerId)) : undefined;
      },
      { what: 'all four tasks to run on the one worker' },
    );
    expect(runningOn.size).toBe(1);
    const drainingId = [...runningOn][0] as string;

    // The second worker joins only now, so nothing started on it before the SIGTERM.
    stack.startWorker(WORKER_ENV);
    await waitFor(async () => ((await stack.api.get('/workers')).body.items as any[]).filter((w) => w.status === 'active').length === 2, {
      what: 'the second worker to register',
    });
    draining!.child.kill('SIGTERM');
    const signalledAt = Date.now();

    const seenDraining = await waitFor(
      async () => ((await stack.api.get('/workers')).body.items as any[]).find((w) => w.id === drainingId && w.status === 'draining'),
      { timeoutMs: 3_000, what: 'the worker to show as draining' },
    );
    expect(seenDraining).toBeDefined();
    const exitCode = await draining!.exited;
    const exitedMs = Date.now() - signalledAt;

    const run = await stack.waitForRun(started.id, 30_000);
    const doneMs = Date.now() - signalledAt;
    console.log(
      `worker SIGTERM (grace ${GRACE}) -> exited after ${exitedMs} ms; run with handed-back tasks succeeded ${doneMs} ms after the signal`,
    );

    expect(exitCode).toBe(0);
    expect(run.status).toBe('succeeded');
    const byName = Object.fromEntries((run.tasks as any[]).map((t) => [t.name, t]));
    for (const name of ['short-1', 'short-2'])
      expect(byName[name]).toMatchObject({ status: 'succeeded', attempt: 1, workerId: drainingId });
    for (const name of ['long-1', 'long-2']) {
      expect(byName[name]).toMatchObject({ status: 'succeeded', attempt: 2 });
      expect(byName[name].workerId).not.toBe(drainingId);
    }
    const events = (await stack.api.get(`/runs/${started.id}/events?limit=500`)).body.items as any[];
    expect(
      events
        .filter((e) => e.type === 'task_failed')
        .map((e) => [e.task, e.attempt, e.details.error.type])
        .sort(),
    ).toEqual([
      ['long-1', 1, 'WorkerShutdown'],
      ['long-2', 1, 'WorkerShutdown'],
    ]);
    const at = (type: string, attempt: number) =>
      Math.max(...events.filter((e) => e.type === type && e.attempt === attempt && e.task.startsWith('long')).map((e) => Date.parse(e.at)));
    console.log(
      `handed back: attempt 2 of the long tasks started ${at('task_started', 2) - at('task_failed', 1)} ms after attempt 1 failed`,
    );
    expect(await historyProblems(stack.api, started.id, MAX_ATTEMPTS)).toEqual([]);
    const workers = (await stack.api.get('/workers')).body.items as any[];
    expect(workers.find((w) => w.id === drainingId)?.status).not.toBe('active');
  }, 60_000);
});
