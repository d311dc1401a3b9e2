import { queryEarliest, queryRows, type Queryable } from '../queryable';
import { TASK_COLUMNS, type TaskRunRow } from './task-run-row';

/**
 * What the leader's timers and duties look for among task runs: retries whose backoff has elapsed,
 * attempts past a deadline, attempts of workers that are gone, and tasks in flight to check against
 * the transport. Each `next...At` answers when its timer is next due.
 */
export class TaskRunTimerRepository {
  /**
   * Claims retries whose backoff has elapsed, oldest first. SKIP LOCKED lets a
   * claim proceed past rows a result batch holds instead of waiting on them.
   */
  async claimDueRetries(tx: Queryable, limit: number): Promise<TaskRunRow[]> {
    return queryRows<TaskRunRow>(
      tx,
      `SELECT ${TASK_COLUMNS} FROM task_runs WHERE status = 'retrying' AND retry_at <= now()
        ORDER BY retry_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  async nextRetryAt(db: Queryable): Promise<Date | null> {
    return queryEarliest(db, `SELECT min(retry_at) AS at FROM task_runs WHERE status = 'retrying'`);
  }

  /** Attempts past a deadline of their current state, oldest deadline first. */
  async overdue(db: Queryable, limit: number): Promise<TaskRunRow[]> {
    return queryRows<TaskRunRow>(
      db,
      `SELECT ${TASK_COLUMNS} FROM task_runs WHERE timeout_at <= now() AND status IN ('queued', 'running') ORDER BY timeout_at LIMIT $1`,
      [limit],
    );
  }

  async nextTimeoutAt(db: Queryable): Promise<Date | null> {
    return queryEarliest(
      db,
      `SELECT min(timeout_at) AS at FROM task_runs WHERE timeout_at IS NOT NULL AND status IN ('queued', 'running')`,
    );
  }

  /** Attempts started by these workers and not yet ended: what a lost worker leaves behind. */
  async runningOnWorkers(db: Queryable, workerIds: readonly string[], limit: number): Promise<TaskRunRow[]> {
    if (workerIds.length === 0) return [];
    return queryRows<TaskRunRow>(
      db,
      `SELECT ${TASK_COLUMNS} FROM task_runs WHERE status = 'running' AND worker_id = ANY($1::text[]) ORDER BY id LIMIT $2`,
      [workerIds, limit],
    );
  }

  /** Tasks PostgreSQL says are on a queue or running: what the reconciler checks against the transport. */
  async inFlight(db: Queryable, options: { queuedBefore: Date; afterId?: string; limit: number }): Promise<TaskRunRow[]> {
    return queryRows<TaskRunRow>(
      db,
      `SELECT ${TASK_COLUMNS} FROM task_runs
        WHERE status IN ('queued', 'running') AND queued_at < $1 AND ($2::bigint IS NULL OR id > $2)
        ORDER BY id LIMIT $3`,
      [options.queuedBefore, options.afterId ?? null, options.limit],
    );
  }
}
