import { FlowctlStack } from '../support/flowctl-stack';
import { OwnRedis } from '../support/own-redis';
import { historyProblems, waitForRuns } from '../support/run-history';
import { waitFor } from '../support/wait-for';
import { aWorkflow } from '../support/workflow-factory';

const MAX_ATTEMPTS = 3;
const RUNS = 6;

/** Two ways Redis loses everything on the queues mid-run; PostgreSQL must bring every run home either way. */
const faults = [
  {
    name: 'FLUSHALL of Redis mid-run',
    label: 'chaos_flushall',
    expectation: 'puts every lost task back from PostgreSQL and completes every run',
    async inflict(redis: OwnRedis): Promise<void> {
      await redis.flushAll();
    },
  },
  {
    name: 'Redis killed and restarted empty mid-run',
    label: 'chaos_redis_restart',
    expectation: 'reconnects, puts every lost task back from PostgreSQL and completes every run',
    async inflict(redis: OwnRedis, stack: FlowctlStack): Promise<void> {
      // kill -9 (no persistence: everything on the queues is gone), down for a moment, then back on the same port.
      await redis.kill();
      // Down long enough for the processes to notice: their connections fail and they retry.
      await waitFor(() => /ECONNREFUSED/.test(String(stack.output)), { timeoutMs: 10_000, what: 'the processes to see Redis gone' });
      expect((await stack.api.get('/readyz')).status).toBe(200);
      await redis.restart();
    },
  },
];

describe.each(faults)('chaos: $name', ({ label, expectation, inflict }) => {
  let redis: OwnRedis;
  let stack: FlowctlStack;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    stack = await FlowctlStack.start({
      label,
      redisUrl: redis.url,
      schedulerEnv: { FLOWCTL_RECONCILE_INTERVAL: '2s' },
      // Two at a time: most tasks wait as jobs on the queue, which the fault loses.
      workerEnv: { WORKER_CONCURRENCY: '2' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await redis?.kill();
  });

  it(expectation, async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'sleepy-chain',
        spec: { defaults: { retry: { maxAttempts: MAX_ATTEMPTS, initialInterval: '200ms' } } },
        tasks: ['a', 'b', 'c', 'd'].map((name, i) => ({
          name,
          type: 'sleep',
          dependsOn: i === 0 ? [] : [['a', 'b', 'c'][i - 1]!],
          with: { duration: '700ms' },
        })),
      }),
    );
    const ids: string[] = [];
    for (let i = 0; i < RUNS; i++) ids.push((await stack.api.post('/workflows/sleepy-chain/runs')).body.id);
    // Mid-run: every run has work on the queues or on the worker.
    await waitFor(
      async () => {
        const runs = await Promise.all(ids.map(async (id) => (await stack.api.get(`/runs/${id}`)).body));
        return runs.every((run) => run.tasks.some((t: any) => t.status === 'running' || t.status === 'succeeded'));
      },
      { what: 'every run to be under way' },
    );

    const faultAt = Date.now();
    await inflict(redis, stack);
    const runs = await waitForRuns(stack.api, ids, 40_000);
    console.log(
      `${label}: all ${RUNS} runs done ${Date.now() - faultAt} ms after the fault (reconcile interval 2 s, worker concurrency 2)`,
    );

    expect(runs.map((run) => run.status)).toEqual(ids.map(() => 'succeeded'));
    // The fault did lose queued jobs, and the reconciler is what brought them back.
    expect(String(stack.output)).toMatch(/re-enqueued \d+ task\(s\) missing from the queues/);
    for (const run of runs) {
      for (const task of run.tasks) expect(task.attempt).toBeLessThanOrEqual(MAX_ATTEMPTS);
      expect(await historyProblems(stack.api, run.id, MAX_ATTEMPTS)).toEqual([]);
    }
  });
});
