import { queryRows, type Queryable } from '../queryable';

/**
 * The counts a Prometheus scrape reads. Each is answered from a partial index
 * over the rows still in flight (runs_status_newest, task_runs_in_flight,
 * dead_letters_open), so a scrape never scans the history of finished runs.
 */
export class MetricsRepository {
  async activeRunsByStatus(db: Queryable): Promise<Record<'pending' | 'running', number>> {
    const rows = await queryRows<{ status: string; count: string }>(
      db,
      `SELECT status, count(*) AS count FROM runs WHERE status IN ('pending', 'running') GROUP BY status`,
    );
    return { pending: countOf(rows, 'pending'), running: countOf(rows, 'running') };
  }

  async tasksInFlightByStatus(db: Queryable): Promise<Record<'queued' | 'running', number>> {
    const rows = await queryRows<{ status: string; count: string }>(
      db,
      `SELECT status, count(*) AS count FROM task_runs WHERE status IN ('queued', 'running') GROUP BY status`,
    );
    return { queued: countOf(rows, 'queued'), running: countOf(rows, 'running') };
  }

  async openDeadLetters(db: Queryable): Promise<number> {
    const rows = await queryRows<{ count: string }>(db, `SELECT count(*) AS count FROM dead_letters WHERE requeued_at IS NULL`);
    return Number(rows[0]?.count ?? 0);
  }
}

function countOf(rows: readonly { status: string; count: string }[], status: string): number {
  return Number(rows.find((row) => row.status === status)?.count ?? 0);
}
