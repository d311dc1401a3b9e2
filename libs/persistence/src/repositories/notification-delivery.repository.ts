import type { NotifyEvent, NotifyFormat, TaskFailure } from '@flowctl/core';
import { queryEarliest, queryRows, type Queryable } from '../queryable';
import type { Statement } from '../statement';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** The task whose dead letter a `dead_letter` delivery tells of. */
export interface DeadTask {
  task: string;
  type: string;
  attempt: number;
  error: TaskFailure | null;
}

export interface NotificationDeliveryRow {
  id: string;
  runId: string;
  namespace: string;
  workflowName: string;
  event: NotifyEvent;
  url: string;
  secretName: string | null;
  format: NotifyFormat;
  deadTask: DeadTask | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  createdAt: Date;
  finishedAt: Date | null;
  lastError: string | null;
}

export type NewNotificationDelivery = Pick<
  NotificationDeliveryRow,
  'runId' | 'namespace' | 'workflowName' | 'event' | 'url' | 'secretName' | 'format' | 'deadTask'
>;

export interface NotificationAttemptRow {
  deliveryId: string;
  attempt: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  response: string | null;
  error: string | null;
}

/** What one attempt came to, and what the delivery does next. */
export interface AttemptOutcome extends NotificationAttemptRow {
  status: DeliveryStatus;
  /** When the next attempt is due (status pending). */
  nextAttemptAt: Date | null;
}

const COLUMNS = `id, run_id AS "runId", namespace, workflow_name AS "workflowName", event, url, secret_name AS "secretName", format,
  dead_task AS "deadTask", status, attempts, next_attempt_at AS "nextAttemptAt", created_at AS "createdAt",
  finished_at AS "finishedAt", last_error AS "lastError"`;

export class NotificationDeliveryRepository {
  /** The outbox rows, as one statement that rides with the transaction that ends the runs (or dead-letters the tasks). */
  addStatement(deliveries: readonly NewNotificationDelivery[]): Statement | undefined {
    if (deliveries.length === 0) return undefined;
    return {
      sql: `INSERT INTO notification_deliveries (run_id, namespace, workflow_name, event, url, secret_name, format, dead_task, next_attempt_at)
       SELECT r, n, w, e, u, s, f, d, now() FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])
         AS t(r, n, w, e, u, s, f, d)`,
      parameters: [
        deliveries.map((d) => d.runId),
        deliveries.map((d) => d.namespace),
        deliveries.map((d) => d.workflowName),
        deliveries.map((d) => d.event),
        deliveries.map((d) => d.url),
        deliveries.map((d) => d.secretName),
        deliveries.map((d) => d.format),
        deliveries.map((d) => (d.deadTask ? JSON.stringify(d.deadTask) : null)),
      ],
    };
  }

  async nextDueAt(db: Queryable): Promise<Date | null> {
    return queryEarliest(db, `SELECT min(next_attempt_at) AS at FROM notification_deliveries WHERE status = 'pending'`);
  }

  /**
   * Takes due deliveries for one attempt each: the attempt is counted and the row pushed `claimMs`
   * ahead, so a sender that dies mid-request leaves it to be tried again then, never lost.
   */
  async claimDue(tx: Queryable, limit: number, claimMs: number): Promise<NotificationDeliveryRow[]> {
    return queryRows<NotificationDeliveryRow>(
      tx,
      `UPDATE notification_deliveries SET attempts = attempts + 1, next_attempt_at = now() + $2 * interval '1 millisecond'
        WHERE id IN (SELECT id FROM notification_deliveries WHERE status = 'pending' AND next_attempt_at <= now()
                      ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING ${COLUMNS}`,
      [limit, claimMs],
    );
  }

  /**
   * Keeps each attempt and moves its delivery on, in one transaction. A delivery that another
   * claim took over meanwhile (its attempt count moved on) keeps its own state: only the attempt is recorded.
   */
  async recordAttempts(tx: Queryable, outcomes: readonly AttemptOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await tx.query(
      `INSERT INTO notification_attempts (delivery_id, attempt, started_at, duration_ms, status_code, response, error)
       SELECT * FROM unnest($1::bigint[], $2::int[], $3::timestamptz[], $4::int[], $5::int[], $6::text[], $7::text[])
       ON CONFLICT DO NOTHING`,
      [
        outcomes.map((o) => o.deliveryId),
        outcomes.map((o) => o.attempt),
        outcomes.map((o) => o.startedAt),
        outcomes.map((o) => o.durationMs),
        outcomes.map((o) => o.statusCode),
        outcomes.map((o) => o.response),
        outcomes.map((o) => o.error),
      ],
    );
    await tx.query(
      `UPDATE notification_deliveries d
          SET status = o.status, next_attempt_at = o.next_at, last_error = o.error,
              finished_at = CASE WHEN o.status = 'pending' THEN NULL ELSE now() END
         FROM unnest($1::bigint[], $2::int[], $3::text[], $4::timestamptz[], $5::text[]) AS o(id, attempt, status, next_at, error)
        WHERE d.id = o.id AND d.attempts = o.attempt AND d.status = 'pending'`,
      [
        outcomes.map((o) => o.deliveryId),
        outcomes.map((o) => o.attempt),
        outcomes.map((o) => o.status),
        outcomes.map((o) => o.nextAttemptAt),
        outcomes.map((o) => (o.status === 'delivered' ? null : (o.error ?? (o.statusCode !== null ? `answered ${o.statusCode}` : null)))),
      ],
    );
  }

  /** The tasks a notification names as having failed the run (instances of a forEach answer through their task). */
  async failedTasksOf(db: Queryable, runId: string, limit: number): Promise<{ name: string; status: string; error: TaskFailure | null }[]> {
    return queryRows(
      db,
      `SELECT name, status, error FROM task_runs WHERE run_id = $1 AND status IN ('failed', 'dead') AND parent_task_run_id IS NULL
        ORDER BY id LIMIT $2`,
      [runId, limit],
    );
  }

  /** Oldest first, keyset-paginated by id. */
  async listOfRun(db: Queryable, runId: string, options: { afterId?: string; limit: number }): Promise<NotificationDeliveryRow[]> {
    return queryRows<NotificationDeliveryRow>(
      db,
      `SELECT ${COLUMNS} FROM notification_deliveries WHERE run_id = $1 AND ($2::bigint IS NULL OR id > $2) ORDER BY id LIMIT $3`,
      [runId, options.afterId ?? null, options.limit],
    );
  }

  async attemptsOf(db: Queryable, deliveryIds: readonly string[]): Promise<NotificationAttemptRow[]> {
    if (deliveryIds.length === 0) return [];
    return queryRows<NotificationAttemptRow>(
      db,
      `SELECT delivery_id AS "deliveryId", attempt, started_at AS "startedAt", duration_ms AS "durationMs", status_code AS "statusCode",
              response, error
         FROM notification_attempts WHERE delivery_id = ANY($1::bigint[]) ORDER BY delivery_id, attempt`,
      [deliveryIds],
    );
  }
}
