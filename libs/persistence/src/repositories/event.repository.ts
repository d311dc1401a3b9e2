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
   * Stores events and links the runs they started, in one statement; answers when each was first
   * received, in the order given. A delivery of an event id already stored (a sender's retry)
   * updates it: its runs are the same ones, found by their idempotency keys, and a retry that got
   * further than the first delivery says so. The same id twice in one call is stored once (the last).
   */
  async recordMany(db: Queryable, events: readonly NewEvent[]): Promise<Date[]> {
    if (events.length === 0) return [];
    const links = events.flatMap((event) => event.runs.map((run) => ({ runId: run.runId, namespace: event.namespace, eventId: event.id })));
    const rows = await queryRows<{ namespace: string; id: string; receivedAt: Date }>(
      db,
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::text[], $8::jsonb[])
                WITH ORDINALITY AS e(namespace, id, name, source, data, outcome, reason, runs, position)),
       stored AS (
         INSERT INTO events (namespace, id, name, source, data, outcome, reason, runs)
         SELECT DISTINCT ON (namespace, id) namespace, id, name, source, data, outcome, reason, runs FROM input
          ORDER BY namespace, id, position DESC
         ON CONFLICT (namespace, id) DO UPDATE SET outcome = EXCLUDED.outcome, reason = EXCLUDED.reason, runs = EXCLUDED.runs
         RETURNING namespace, id, received_at),
       linked AS (
         INSERT INTO event_runs (run_id, namespace, event_id)
         SELECT DISTINCT ON (r.run_id) r.run_id, r.namespace, r.event_id FROM unnest($9::uuid[], $10::text[], $11::text[]) AS r(run_id, namespace, event_id)
         ON CONFLICT (run_id) DO NOTHING)
       SELECT namespace, id, received_at AS "receivedAt" FROM stored`,
      [
        events.map((event) => event.namespace),
        events.map((event) => event.id),
        events.map((event) => event.name),
        events.map((event) => event.source),
        events.map((event) => (event.data === undefined ? null : JSON.stringify(event.data))),
        events.map((event) => event.outcome),
        events.map((event) => event.reason),
        events.map((event) => JSON.stringify(event.runs)),
        links.map((link) => link.runId),
        links.map((link) => link.namespace),
        links.map((link) => link.eventId),
      ],
    );
    const receivedAt = new Map(rows.map((row) => [`${row.namespace}\u0000${row.id}`, row.receivedAt]));
    return events.map((event) => receivedAt.get(`${event.namespace}\u0000${event.id}`)!);
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
