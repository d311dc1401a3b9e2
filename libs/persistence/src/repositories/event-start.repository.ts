import { queryEarliest, queryRows, type Queryable } from '../queryable';

/** A run an accepted event owes (the `event_starts` outbox). */
export interface OwedStart {
  runId: string;
  namespace: string;
  eventId: string;
  workflow: string;
  inputs: Record<string, unknown>;
}

const COLUMNS = `run_id AS "runId", namespace, event_id AS "eventId", workflow_name AS "workflow", inputs`;

/**
 * The outbox of runs accepted events owe. Rows are written with their event (EventRepository.accept);
 * the accepting scheduler removes them once their runs exist, and the leader takes the rows whose
 * `due_at` passed (their scheduler died or could not reach the database).
 */
export class EventStartRepository {
  async remove(db: Queryable, runIds: readonly string[]): Promise<void> {
    if (runIds.length === 0) return;
    await db.query(`DELETE FROM event_starts WHERE run_id = ANY($1::uuid[])`, [runIds]);
  }

  /** The event that owes `runId`, if the run is still owed (accepted, not yet started). */
  async owing(db: Queryable, runId: string): Promise<{ namespace: string; eventId: string } | undefined> {
    const [row] = await queryRows<{ namespace: string; eventId: string }>(
      db,
      `SELECT namespace, event_id AS "eventId" FROM event_starts WHERE run_id = $1`,
      [runId],
    );
    return row;
  }

  async nextDueAt(db: Queryable): Promise<Date | null> {
    return queryEarliest(db, `SELECT min(due_at) AS at FROM event_starts`);
  }

  /** Takes due rows and pushes them `leaseMs` ahead: a taker that dies leaves them to the next look, never lost. */
  async claimDue(db: Queryable, limit: number, leaseMs: number): Promise<OwedStart[]> {
    return queryRows<OwedStart>(
      db,
      `UPDATE event_starts SET due_at = now() + make_interval(secs => $2::float8 / 1000)
        WHERE run_id IN (SELECT run_id FROM event_starts WHERE due_at <= now() ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING ${COLUMNS}`,
      [limit, leaseMs],
    );
  }
}
