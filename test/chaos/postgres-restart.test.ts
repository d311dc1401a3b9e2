import { FlowctlStack } from '../support/flowctl-stack';
import { OwnPostgres } from '../support/own-postgres';
import { OwnRedis } from '../support/own-redis';
import { historyProblems, waitForRuns } from '../support/run-history';
import { waitFor } from '../support/wait-for';
import { aWorkflow } from '../support/workflow-factory';

const MAX_ATTEMPTS = 3;
const RUNS = 6;

describe('chaos: PostgreSQL restarted mid-run', () => {
  let redis: OwnRedis;
  let postgres: OwnPostgres;
  let stack: FlowctlStack;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    postgres = await OwnPostgres.start();
    stack = await FlowctlStack.start({
      label: 'chaos_pg_restart',
      redisUrl: redis.url,
      database: postgres.asTestDatabase(),
      workers: 2,
      schedulerEnv: { FLOWCTL_RECONCILE_INTERVAL: '2s' },
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await postgres?.remove();
    await redis?.kill();
  });

  it('is not ready while PostgreSQL is down and completes every run after it restarts', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'fan',
        spec: { defaults: { retry: { maxAttempts: MAX_ATTEMPTS, initialInterval: '200ms' } } },
        tasks: [
          { name: 'first', type: 'sleep', with: { duration: '500ms' } },
          ...['x', 'y', 'z'].map((name) => ({ name, type: 'sleep', dependsOn: ['first'], with: { duration: '1500ms' } })),
          { name: 'last', dependsOn: ['x', 'y', 'z'] },
        ],
      }),
    );
    const ids: string[] = [];
    for (let i = 0; i < RUNS; i++) ids.push((await stack.api.post('/workflows/fan/runs')).body.id);
    // Stopped with the fan-out in flight: several tasks of each run running on the workers.
    await waitFor(
      async () => {
        const runs = await Promise.all(ids.map(async (id) => (await stack.api.get(`/runs/${id}`)).body));
        return runs.every((run) => run.tasks.filter((t: any) => t.status === 'running').length >= 2);
      },
      { timeoutMs: 20_000, what: 'every run to have its fan-out running' },
    );

    await postgres.stop();
    const stoppedAt = Date.now();
    await waitFor(async () => (await stack.api.get('/readyz')).status === 503, { timeoutMs: 15_000, what: 'readyz to answer 503' });
    // Down long enough that the running tasks finish and report while PostgreSQL is away.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, stoppedAt + 3_000 - Date.now())));
    await postgres.restart();
    const restartedAt = Date.now();
    await waitFor(async () => (await stack.api.get('/readyz')).status === 200, { timeoutMs: 30_000, what: 'readyz to answer 200 again' });
    const readyMs = Date.now() - restartedAt;
    const runs = await waitForRuns(stack.api, ids, 60_000);
    console.log(
      `PostgreSQL down ${restartedAt - stoppedAt} ms (restart included) -> ready ${readyMs} ms after it was back; all ${RUNS} runs done ${Date.now() - restartedAt} ms after it was back`,
    );

    expect(runs.map((run) => run.status)).toEqual(ids.map(() => 'succeeded'));
    for (const run of runs) {
      expect(run.tasks.filter((t: any) => t.attempt > MAX_ATTEMPTS || t.status !== 'succeeded')).toEqual([]);
      expect(await historyProblems(stack.api, run.id, MAX_ATTEMPTS)).toEqual([]);
    }
  }, 180_000);
});
