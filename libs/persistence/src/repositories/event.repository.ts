import { queryRows, type Queryable } from '../queryable';

export type EventSource = 'api' | 'hook' | 'workflowRun';
export type EventOutcome = 'matched' | 'unmatched' | 'rejected';

/** A run an event started (or found started by an earlier delivery of the same event). */
export interface EventRun {
  workflow: string;
  runId: string;
}

export interface EventRow {
  namespace: string;
  id: string;
  name: string;
  source: EventSource;
  data: unknown;
  receivedAt: Date;
  outcome: EventOutcome;
  /** Why an event was rejected, or why some of its workflows did not start. */
  reason: string | null;
  runs: EventRun[];
}

export type NewEvent = Omit<EventRow, 'receivedAt'>;

const COLUMNS = `namespace, id, name, source, data, received_at AS "receivedAt", outcome, reason, runs`;

/** Received events with their outcome, pruned with FLOWCTL_RETENTION. */
export class EventRepository {
  /**
   * Stores an event and links the runs it started, in one statement; answers when it was first
   * received. A delivery of an event id
   * already stored (a sender's retry) updates it: its runs are the same ones, found by their
   * idempotency keys, and a retry that got further than the first delivery says so.
   */
  async record(db: Queryable, event: NewEvent): Promise<Date> {
    const [row] = await queryRows<{ receivedAt: Date }>(
      db,
      `WITH stored AS (
         INSERT INTO events (namespace, id, name, source, data, outcome, reason, runs) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (namespace, id) DO UPDATE SET outcome = EXCLUDED.outcome, reason = EXCLUDED.reason, runs = EXCLUDED.runs
         RETURNING namespace, id, received_at),
       linked AS (
         INSERT INTO event_runs (run_id, namespace, event_id)
         SELECT r.run_id, s.namespace, s.id FROM stored s, unnest($9::uuid[]) AS r(run_id) ON CONFLICT (run_id) DO NOTHING)
       SELECT received_at AS "receivedAt" FROM stored`,
      [
        event.namespace,
        event.id,
        event.name,
        event.source,
        event.data === undefined ? null : JSON.stringify(event.data),
        event.outcome,
        event.reason,
        JSON.stringify(event.runs),
        event.runs.map((run) => run.runId),
      ],
    );
    return row!.receivedAt;
  }

  async find(db: Queryable, namespace: string, id: string): Promise<EventRow | undefined> {
    const [row] = await queryRows<EventRow>(db, `SELECT ${COLUMNS} FROM events WHERE namespace = $1 AND id = $2`, [namespace, id]);
    return row;
  }

  /** The event that started a run, if one did. */
  async ofRun(db: Queryable, runId: string): Promise<Pick<EventRow, 'id' | 'name' | 'source' | 'receivedAt'> | undefined> {
    const [row] = await queryRows<Pick<EventRow, 'id' | 'name' | 'source' | 'receivedAt'>>(
      db,
      `SELECT e.id, e.name, e.source, e.received_at AS "receivedAt" FROM event_runs r
         JOIN events e ON e.namespace = r.namespace AND e.id = r.event_id WHERE r.run_id = $1`,
      [runId],
    );
    return row;
  }

  /** Newest first, keyset-paged on (receivedAt, namespace, id). */
  async list(
    db: Queryable,
    options: {
      namespaces?: readonly string[];
      name?: string;
      outcome?: EventOutcome;
      after?: { receivedAt: Date; namespace: string; id: string };
      limit: number;
    },
  ): Promise<EventRow[]> {
    return queryRows<EventRow>(
      db,
      `SELECT ${COLUMNS} FROM events
        WHERE ($1::text[] IS NULL OR namespace = ANY($1)) AND ($2::text IS NULL OR name = $2) AND ($3::text IS NULL OR outcome = $3)
          AND ($4::timestamptz IS NULL OR (received_at, namespace, id) < ($4, $5, $6))
        ORDER BY received_at DESC, namespace DESC, id DESC LIMIT $7`,
      [
        options.namespaces ?? null,
        options.name ?? null,
        options.outcome ?? null,
        options.after?.receivedAt ?? null,
        options.after?.namespace ?? null,
        options.after?.id ?? null,
        options.limit,
      ],
    );
  }

  /** Deletes up to `limit` events received before the cutoff (their run links go with them); returns how many. */
  async prune(db: Queryable, receivedBefore: Date, limit: number): Promise<number> {
    const rows = await queryRows(
      db,
      `DELETE FROM events WHERE (namespace, id) IN (SELECT namespace, id FROM events WHERE received_at < $1 LIMIT $2) RETURNING 1`,
      [receivedBefore, limit],
    );
    return rows.length;
  }
}
