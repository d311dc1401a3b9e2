import type { Statement } from '../statement';
import { queryRows, type Queryable } from '../queryable';

export type RunEventType =
  | 'run_created'
  | 'run_started'
  | 'run_waiting'
  | 'run_succeeded'
  | 'run_failed'
  | 'run_cancelled'
  | 'run_timed_out'
  | 'run_retried'
  | 'task_queued'
  | 'task_started'
  | 'task_succeeded'
  | 'task_failed'
  | 'task_retrying'
  | 'task_dead'
  | 'task_skipped'
  | 'task_cancelled'
  | 'task_requeued';

export interface NewRunEvent {
  runId: string;
  type: RunEventType;
  task?: string;
  attempt?: number;
  details?: unknown;
}

export interface RunEventRow {
  id: string;
  runId: string;
  type: RunEventType;
  task: string | null;
  attempt: number | null;
  at: Date;
  details: unknown;
}

export class RunEventRepository {
  /** The history is append-only; one INSERT per batch whatever its size. */

  appendStatement(events: readonly NewRunEvent[]): Statement | undefined {
    if (events.length === 0) return undefined;
    return {
      sql: `INSERT INTO run_events (run_id, type, task, attempt, details)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::jsonb[])`,
      parameters: [
        events.map((e) => e.runId),
        events.map((e) => e.type),
        events.map((e) => e.task ?? null),
        events.map((e) => e.attempt ?? null),
        events.map((e) => (e.details === undefined ? null : JSON.stringify(e.details))),
      ],
    };
  }

  /**
   * The latest events of a run, newest first: those with an id in (afterId, beforeId), along
   * run_events_by_run backwards, so the tail of a 300,000-event history reads like a page.
   */
  async latest(db: Queryable, runId: string, options: { afterId?: string; beforeId?: string; limit: number }): Promise<RunEventRow[]> {
    return queryRows<RunEventRow>(
      db,
      // An ordered index scan whatever the statistics say (see the function's migration).
      `SELECT id, run_id AS "runId", type, task, attempt, at, details FROM flowctl_run_event_tail($1, $2, $3, $4)`,
      [runId, options.afterId ?? '0', options.beforeId ?? '9223372036854775807', options.limit],
    );
  }

  /** The id of a run's latest event ('0' before its first). */
  async lastId(db: Queryable, runId: string): Promise<string> {
    const [row] = await queryRows<{ id: string | null }>(db, `SELECT max(id)::text AS id FROM run_events WHERE run_id = $1`, [runId]);
    return row?.id ?? '0';
  }

  async list(db: Queryable, runId: string, options: { afterId?: string; limit: number }): Promise<RunEventRow[]> {
    return queryRows<RunEventRow>(
      db,
      `SELECT id, run_id AS "runId", type, task, attempt, at, details FROM run_events
        WHERE run_id = $1 AND ($2::bigint IS NULL OR id > $2) ORDER BY id LIMIT $3`,
      [runId, options.afterId ?? null, options.limit],
    );
  }
}
