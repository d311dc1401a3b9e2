import { Client } from 'pg';
import { FlowctlStack } from './support/flowctl-stack';
import { settledWithin } from './support/wait-for';

// The integration project's testTimeout in jest.config.js is a project option jest ignores: set it here.
jest.setTimeout(60_000);

/** How the processes end: a graceful stop is quick and leaves nothing for a standby to wait out. */
describe('stopping a scheduler', () => {
  let stack: FlowctlStack;

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'lifecycle' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('exits within a few seconds of SIGTERM, releasing the leader lease and leaving the cluster', async () => {
    const [scheduler] = stack.processesNamed('scheduler');
    expect((await stack.api.get('/cluster')).body.leader).toEqual(expect.any(String));

    const stoppedAt = Date.now();
    scheduler!.child.kill('SIGTERM');
    const exit = await settledWithin(
      scheduler!.exited.then(() => ({ code: scheduler!.child.exitCode, signal: scheduler!.child.signalCode })),
      5_000,
    );
    // Nest re-raises the signal once its shutdown hooks are done, so a clean stop ends by SIGTERM (or exit 0).
    expect([
      { code: 0, signal: null },
      { code: null, signal: 'SIGTERM' },
    ]).toContainEqual(exit);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);

    // Graceful, not just quick: the lease is handed over and the scheduler has left the cluster.

    const db = new Client({ connectionString: stack.database.url });
    await db.connect();
    try {
      const lease = await db.query(`SELECT holder FROM leader_lease WHERE expires_at > now()`);
      expect(lease.rows).toEqual([]);
      expect((await db.query(`SELECT id FROM schedulers`)).rows).toEqual([]);
    } finally {
      await db.end();
    }
  });
});
