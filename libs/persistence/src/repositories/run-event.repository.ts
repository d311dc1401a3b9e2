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

/** Every insert into run_events notifies this channel once per run it touched (a trigger; see its migration). */
export const RUN_EVENTS_CHANNEL = 'flowctl_run_events';

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

  async list(db: Queryable, runId: string, options: { afterId?: string; limit: number }): Promise<RunEventRow[]> {
    return queryRows<RunEventRow>(
      db,
      `SELECT id, run_id AS "runId", type, task, attempt, at, details FROM run_events
        WHERE run_id = $1 AND ($2::bigint IS NULL OR id > $2) ORDER BY id LIMIT $3`,
      [runId, options.afterId ?? null, options.limit],
    );
  }
}
