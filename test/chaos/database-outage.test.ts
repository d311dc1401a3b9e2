import { Client } from 'pg';
import { FlowctlStack } from '../support/flowctl-stack';
import { OwnRedis } from '../support/own-redis';
import { historyProblems, waitForRuns } from '../support/run-history';
import { ADMIN_DATABASE_URL } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { aWorkflow } from '../support/workflow-factory';

const MAX_ATTEMPTS = 3;
const RUNS = 4;

/**
 * The shared PostgreSQL is never restarted; this file's own database is made
 * to refuse connections and its sessions are cut, which is what the scheduler
 * sees when PostgreSQL restarts.
 */
describe('chaos: the database unreachable mid-run', () => {
  let redis: OwnRedis;
  let stack: FlowctlStack;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    stack = await FlowctlStack.start({ label: 'chaos_db_outage', redisUrl: redis.url, schedulerEnv: { FLOWCTL_RECONCILE_INTERVAL: '2s' } });
  });

  afterAll(async () => {
    await stack?.stop();
    await redis?.kill();
  });

  it('is not ready while the database is gone, and completes every run once it is back', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'sleepy-chain',
        spec: { defaults: { retry: { maxAttempts: MAX_ATTEMPTS, initialInterval: '200ms' } } },
        tasks: ['a', 'b', 'c'].map((name, i) => ({
          name,
          type: 'sleep',
          dependsOn: i === 0 ? [] : [['a', 'b'][i - 1]!],
          with: { duration: '1s' },
        })),
      }),
    );
    const ids: string[] = [];
    for (let i = 0; i < RUNS; i++) ids.push((await stack.api.post('/workflows/sleepy-chain/runs')).body.id);
    await waitFor(
      async () => {
        const runs = await Promise.all(ids.map(async (id) => (await stack.api.get(`/runs/${id}`)).body));
        return runs.every((run) => run.tasks.some((t: any) => t.status === 'running'));
      },
      { what: 'every run to be under way' },
    );

    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    let outageMs: number;
    try {
      await admin.query(`ALTER DATABASE ${stack.database.name} ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [stack.database.name]);
      const cutAt = Date.now();
      await waitFor(async () => (await stack.api.get('/readyz')).status === 503, { timeoutMs: 10_000, what: 'readyz to answer 503' });
      // Long enough that the running tasks finish and report while the database is away.
      await waitFor(() => Date.now() - cutAt > 2_500 && /lease renewal failed/.test(String(stack.output)), {
        timeoutMs: 15_000,
        what: 'the scheduler to lose the lease',
      });
      outageMs = Date.now() - cutAt;
    } finally {
      await admin.query(`ALTER DATABASE ${stack.database.name} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    const restoredAt = Date.now();
    await waitFor(async () => (await stack.api.get('/readyz')).status === 200, { timeoutMs: 15_000, what: 'readyz to answer 200 again' });
    const runs = await waitForRuns(stack.api, ids, 40_000);
    console.log(`database away ${outageMs} ms -> all ${RUNS} runs done ${Date.now() - restoredAt} ms after it returned`);

    expect(runs.map((run) => run.status)).toEqual(ids.map(() => 'succeeded'));
    for (const run of runs) {
      for (const task of run.tasks) expect(task.attempt).toBeLessThanOrEqual(MAX_ATTEMPTS);
      expect(await historyProblems(stack.api, run.id, MAX_ATTEMPTS)).toEqual([]);
    }
  });
});
