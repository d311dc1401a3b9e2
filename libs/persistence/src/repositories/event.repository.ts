import { queryRows, type Queryable } from '../queryable';
import { auditRowsInsert, type AuditEntry } from './audit-log.repository';

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

/** A run an accepted event owes: started right after the answer, under the id the answer gave. */
export interface EventStart {
  runId: string;
  workflow: string;
  inputs: Record<string, unknown>;
}

export type AcceptedEvent = NewEvent & {
  starts: readonly EventStart[];
  /** The call's audit row, stored by the same statement (a retry's call is recorded too). */
  audit?: AuditEntry;
};

/** The stored event a delivery answers with; `accepted` false: stored before (a retry), nothing new owed. */
export interface Accepted {
  event: EventRow;
  accepted: boolean;
}

const eventKey = (event: { namespace: string; id: string }): string => `${event.namespace}\u0000${event.id}`;

const COLUMNS = `namespace, id, name, source, data, received_at AS "receivedAt", outcome, reason, runs`;

/** Received events with their outcome, pruned with FLOWCTL_RETENTION. */
export class EventRepository {
  /**
   * Accepts events in one statement: each new one is stored with the runs it will start, linked to
   * them, and its starts go into the `event_starts` outbox, due for the leader `leaseMs` from now.
   * An event id already stored (a sender's retry) changes nothing and answers the stored event, so a
   * retry starts nothing twice. Answers in the order given; the same id twice in one call is the first.
   */
  async accept(db: Queryable, events: readonly AcceptedEvent[], leaseMs: number): Promise<Accepted[]> {
    if (events.length === 0) return [];
    const first = new Map<string, AcceptedEvent>();
    for (const event of events) if (!first.has(eventKey(event))) first.set(eventKey(event), event);
    const fresh = [...first.values()];
    const starts = fresh.flatMap((event) => event.starts.map((start) => ({ ...start, namespace: event.namespace, eventId: event.id })));
    const parameters: unknown[] = [
      fresh.map((event) => event.namespace),
      fresh.map((event) => event.id),
      fresh.map((event) => event.name),
      fresh.map((event) => event.source),
      fresh.map((event) => (event.data === undefined ? null : JSON.stringify(event.data))),
      fresh.map((event) => event.outcome),
      fresh.map((event) => event.reason),
      fresh.map((event) => JSON.stringify(event.runs)),
      starts.map((start) => start.runId),
      starts.map((start) => start.namespace),
      starts.map((start) => start.eventId),
      starts.map((start) => start.workflow),
      starts.map((start) => JSON.stringify(start.inputs)),
      leaseMs,
    ];
    // The call's audit rows travel in the same statement, their parameters after the event's.
    const audit = auditRowsInsert(
      events.flatMap((event) => (event.audit ? [event.audit] : [])),
      parameters.length + 1,
    );
    const rows = await queryRows<{ namespace: string; id: string; receivedAt: Date }>(
      db,
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::text[], $8::jsonb[])
                AS e(namespace, id, name, source, data, outcome, reason, runs)),
       stored AS (
         INSERT INTO events (namespace, id, name, source, data, outcome, reason, runs)
         SELECT namespace, id, name, source, data, outcome, reason, runs FROM input
         ON CONFLICT (namespace, id) DO NOTHING
         RETURNING namespace, id, received_at),
       start AS (
         SELECT s.* FROM unnest($9::uuid[], $10::text[], $11::text[], $12::text[], $13::jsonb[]) AS s(run_id, namespace, event_id, workflow_name, inputs)
           JOIN stored ON stored.namespace = s.namespace AND stored.id = s.event_id),
       owed AS (
         INSERT INTO event_starts (run_id, namespace, event_id, workflow_name, inputs, due_at)
         SELECT run_id, namespace, event_id, workflow_name, inputs, now() + make_interval(secs => $14::float8 / 1000) FROM start),
       linked AS (
         INSERT INTO event_runs (run_id, namespace, event_id) SELECT run_id, namespace, event_id FROM start ON CONFLICT (run_id) DO NOTHING),
       audited AS (${audit.sql})
       SELECT namespace, id, received_at AS "receivedAt" FROM stored`,
      [...parameters, ...audit.parameters],
    );
    const inserted = new Map(rows.map((row) => [eventKey(row), row.receivedAt]));
    // Events stored before (retries): read after the insert, so one committed by another delivery meanwhile is seen.
    const retried = fresh.filter((event) => !inserted.has(eventKey(event)));
    const earlier = new Map((await this.findMany(db, retried)).map((row) => [eventKey(row), row]));
    for (const event of retried) if (!earlier.has(eventKey(event))) throw new Error(`event "${event.id}" was neither stored nor found`);
    return events.map((event) => {
      const key = eventKey(event);
      const receivedAt = inserted.get(key);
      if (receivedAt === undefined) return { event: earlier.get(key)!, accepted: false };
      const { starts: _starts, audit: _audit, ...row } = first.get(key)!;
      return { event: { ...row, receivedAt }, accepted: first.get(key) === event };
    });
  }

  /**
   * A run an accepted event promised that did not start as promised: refused since (its workflow
   * deleted or changed), or found already started under another id. The event says so.
   */
  async settleRun(
    db: Queryable,
    settled: { namespace: string; eventId: string; runId: string; actualRunId: string | null; reason: string | null },
  ): Promise<void> {
    await db.query(
      `WITH runs AS (
              SELECT COALESCE(jsonb_agg(CASE WHEN r->>'runId' = $3 THEN jsonb_set(r, '{runId}', to_jsonb($4::text)) ELSE r END), '[]'::jsonb) AS runs
                FROM events e, jsonb_array_elements(e.runs) AS r
               WHERE e.namespace = $1 AND e.id = $2 AND ($4::text IS NOT NULL OR r->>'runId' <> $3)),
            unlinked AS (DELETE FROM event_runs WHERE run_id = $3::uuid AND $4::text IS DISTINCT FROM $3),
            relinked AS (INSERT INTO event_runs (run_id, namespace, event_id) SELECT $4::uuid, $1, $2 WHERE $4::text IS NOT NULL ON CONFLICT (run_id) DO NOTHING)
          UPDATE events e SET
            runs = runs.runs,
            reason = CASE WHEN $5::text IS NULL THEN e.reason ELSE concat_ws('; ', e.reason, $5::text) END,
            outcome = CASE WHEN jsonb_array_length(runs.runs) = 0 THEN 'rejected' ELSE e.outcome END
          FROM runs WHERE e.namespace = $1 AND e.id = $2`,
      [settled.namespace, settled.eventId, settled.runId, settled.actualRunId, settled.reason],
    );
  }

  async findMany(db: Queryable, keys: readonly { namespace: string; id: string }[]): Promise<EventRow[]> {
    if (keys.length === 0) return [];
    return queryRows<EventRow>(
      db,
      `SELECT ${COLUMNS} FROM events WHERE (namespace, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [keys.map((key) => key.namespace), keys.map((key) => key.id)],
    );
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
