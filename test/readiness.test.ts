import { Client } from 'pg';
import { TestApi } from './support/api-client';
import { FlowctlStack } from './support/flowctl-stack';
import { ADMIN_DATABASE_URL } from './support/test-database';
import { waitFor } from './support/wait-for';

const readyStatus = async (api: TestApi) => (await api.get('/readyz')).status;

describe('readiness', () => {
  let stack: FlowctlStack;

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'readiness', workers: 0 });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 503 while its database refuses connections, and ready again once it is back', async () => {
    expect(await readyStatus(stack.api)).toBe(200);
    // Only this file's own database: new connections refused, the open ones cut.
    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${stack.database.name} ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [stack.database.name]);
      await waitFor(async () => (await readyStatus(stack.api)) === 503, { timeoutMs: 10_000, what: 'readyz to answer 503' });
      expect((await stack.api.get('/healthz')).status).toBe(200);
      // Metrics still answer: what needs no database is there, the database's counts are left out.
      const metrics = await fetch(`${stack.url}/api/v1/metrics`, { signal: AbortSignal.timeout(15_000) });
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toMatch(/^flowctl_scheduler_leader [01]$/m);
      expect(text).not.toMatch(/^flowctl_runs_active\{/m);
    } finally {
      await admin.query(`ALTER DATABASE ${stack.database.name} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    await waitFor(async () => (await readyStatus(stack.api)) === 200, { timeoutMs: 15_000, what: 'readyz to answer 200 again' });
  });

  it('answers 503 as soon as SIGTERM shutdown begins, while the API still serves the drain period', async () => {
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const draining = await stack.startScheduler({ PORT: port, FLOWCTL_SHUTDOWN_DRAIN: '3s' });
    const api = new TestApi(`http://127.0.0.1:${port}`);
    expect(await readyStatus(api)).toBe(200);
    draining.child.kill('SIGTERM');
    await waitFor(async () => (await readyStatus(api)) === 503, { timeoutMs: 2_500, what: 'readyz to answer 503 after SIGTERM' });
    // Liveness is unaffected: the process is healthy, only leaving.
    expect((await api.get('/healthz')).status).toBe(200);
    // Nest re-raises the signal once its shutdown hooks have run: a clean exit by SIGTERM.
    await draining.exited;
    expect([draining.child.exitCode, draining.child.signalCode]).toEqual([null, 'SIGTERM']);
    // The other scheduler is untouched and ready.
    expect(await readyStatus(stack.api)).toBe(200);
  });
});
