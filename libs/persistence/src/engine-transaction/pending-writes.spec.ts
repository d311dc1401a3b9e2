import type { Queryable } from '../queryable';
import type { Statement } from '../statement';
import { PendingWrites } from './pending-writes';

/** A transaction that records what it was sent and answers no rows. */
function recordingTransaction(withCommit = false): Queryable & { sent: string[]; withCommit: string[] } {
  const sent: string[] = [];
  const held: string[] = [];
  return {
    sent,
    withCommit: held,
    query: async (sql: string) => {
      sent.push(sql);
      return [] as never;
    },
    ...(withCommit ? { sendWithCommit: (statement: Statement) => void held.push(statement.sql) } : {}),
  };
}

const write = (name: string): Statement => ({ sql: `UPDATE ${name}`, parameters: [] });
const counters = (name: string): Statement => ({ sql: `UPDATE ${name} RETURNING *`, parameters: [] });

describe('PendingWrites', () => {
  it('carries task outcomes and history inside the release of dependents: one round trip', async () => {
    const tx = recordingTransaction();
    const writes = new PendingWrites(tx);
    await writes.taskOutcomes(write('outcome'), ['t1']);
    await writes.history(write('events'));
    await writes.updateTaskCounters(counters('dependents'));
    expect(tx.sent).toHaveLength(1);
    expect(tx.sent[0]).toMatch(/^WITH w0 AS \(UPDATE outcome\),\nw1 AS \(UPDATE events\)\nUPDATE dependents RETURNING \*$/);
  });

  it('sends decisions on pending tasks before a counter update of task runs, which could touch the same rows', async () => {
    const tx = recordingTransaction();
    const writes = new PendingWrites(tx);
    await writes.taskDecisions(write('queued'), ['t2']);
    await writes.updateTaskCounters(counters('dependents'));
    expect(tx.sent).toEqual(['WITH w0 AS (UPDATE queued)\nSELECT 1', 'UPDATE dependents RETURNING *']);
  });

  it('lets the run counters carry every task and history write, but not a write of runs', async () => {
    const tx = recordingTransaction();
    const writes = new PendingWrites(tx);
    await writes.taskDecisions(write('skipped'), ['t3']);
    await writes.updateRunCounters(counters('runs'));
    expect(tx.sent).toHaveLength(1);
    await writes.runs(write('run end'), ['r1']);
    await writes.updateRunCounters(counters('runs'));
    expect(tx.sent.slice(1)).toEqual(['WITH w0 AS (UPDATE run end)\nSELECT 1', 'UPDATE runs RETURNING *']);
  });

  it('never writes one row twice in one statement', async () => {
    const tx = recordingTransaction();
    const writes = new PendingWrites(tx);
    await writes.taskOutcomes(write('first'), ['t1']);
    await writes.taskOutcomes(write('second'), ['t1']);
    expect(tx.sent).toEqual(['WITH w0 AS (UPDATE first)\nSELECT 1']);
  });

  it('sends what waits before any other statement, so reads see every earlier write', async () => {
    const tx = recordingTransaction();
    const writes = new PendingWrites(tx);
    await writes.history(write('events'));
    await writes.queryable.query('SELECT outputs');
    expect(tx.sent).toEqual(['WITH w0 AS (UPDATE events)\nSELECT 1', 'SELECT outputs']);
  });

  it('holds the last writes for the COMMIT where the transaction can carry them', async () => {
    const tx = recordingTransaction(true);
    const writes = new PendingWrites(tx);
    await writes.runs(write('run end'), ['r1']);
    await writes.flushWithCommit({ sql: "SELECT pg_notify('flowctl_timers', '')", parameters: [] });
    expect(tx.sent).toEqual([]);
    expect(tx.withCommit).toEqual(["WITH w0 AS (UPDATE run end)\nSELECT pg_notify('flowctl_timers', '')"]);
  });
});
