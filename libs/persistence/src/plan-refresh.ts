import type { PoolClient } from 'pg';
import type { GroupedStatement } from './statement-group';

/** Transactions a connection runs before it first drops its cached plans; each later drop waits for twice as many. */
export const FIRST_PLAN_REFRESH_AFTER = 32;

const DISCARD_PLANS: GroupedStatement = { text: 'DISCARD PLANS' };

/** Per connection: transactions begun, and the count at which its plans are dropped next. */
const tallies = new WeakMap<PoolClient, { begun: number; refreshAt: number }>();

/**
 * What a transaction on `client` sends before its BEGIN: `DISCARD PLANS` when the connection's work
 * has doubled since its plans were last made, otherwise nothing.
 *
 * PostgreSQL makes a prepared statement's generic plan from the tables' sizes when it caches it, and
 * keeps that plan until the table is analyzed. A scheduler that starts on a young database (a new
 * installation; any database whose autovacuum is off or has not come round yet) therefore kept plans
 * made for nearly empty tables: a batch's `UPDATE task_runs ... FROM unnest(...)` hash-joined a full
 * scan of task_runs, work that grew with the table for as long as the connection lived (a third of the
 * database's time in the events bench). The engine's tables grow with the work done, so each connection
 * drops its plans after 32, 64, 128, ... transactions: the statements stay prepared and their next
 * plans come from the tables' current sizes, a few dozen times in a long connection's life.
 */
export function planRefreshFor(client: PoolClient): GroupedStatement[] {
  let tally = tallies.get(client);
  if (!tally) tallies.set(client, (tally = { begun: 0, refreshAt: FIRST_PLAN_REFRESH_AFTER }));
  tally.begun += 1;
  if (tally.begun < tally.refreshAt) return [];
  tally.refreshAt *= 2;
  return [DISCARD_PLANS];
}
