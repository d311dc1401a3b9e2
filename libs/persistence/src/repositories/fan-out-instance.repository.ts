import type { SecretSlot } from '@flowctl/core';
import type { Statement } from '../statement';
import { queryRows, type Queryable } from '../queryable';
import { jsonParameter } from './json-values';
import { TASK_COLUMNS, type TaskRunRow } from './task-run-row';

export interface FanOutProgress {
  id: string;
  runId: string;
  name: string;
  instancesTotal: number;
  instancesSucceeded: number;
  instancesFailed: number;
}

/** What the instances of one `forEach` task share. */
export interface FanOutInstances {
  runId: string;
  parentTaskRunId: string;
  /** The fan-out task's name: instance i is `name[i]`. */
  name: string;
  type: string;
  priority: number;
  timeoutMs?: number;
  heartbeatTimeoutMs?: number;
  scheduleToStartMs?: number;
}

/** One instance: its item's index and its rendered input (placeholders where secrets go). */
export interface QueuedInstance {
  itemIndex: number;
  input: unknown;
  secretSlots: readonly SecretSlot[];
}

/**
 * The instances of `forEach` tasks: created in slices, read back a range at a time for the queue,
 * counted against their fan-out task as they end. See docs/adr/0005-for-each-instances.md.
 */
export class FanOutInstanceRepository {
  /**
   * Instances of a `forEach` task, created queued at attempt 1 with their `task_queued` events, in one
   * statement: nothing comes back, and the events are made in SQL from the inserted rows, so a slice of
   * a 100,000-item fan-out costs one round trip and no row is written twice.
   */
  async insertQueuedInstances(tx: Queryable, fanOut: FanOutInstances, instances: readonly QueuedInstance[]): Promise<void> {
    if (instances.length === 0) return;
    await tx.query(
      `WITH inserted AS (
         INSERT INTO task_runs (run_id, name, type, status, attempt, priority, deps_total, input, secret_slots, queued_at, timeout_at,
                                timeout_ms, heartbeat_timeout_ms, schedule_to_start_ms, parent_task_run_id, item_index)
         SELECT $1, $2 || '[' || i.item_index || ']', $3, 'queued', 1, $4, 0, i.input, i.secret_slots, now(),
                now() + $7::int * interval '1 millisecond', $5, $6, $7, $8, i.item_index
           FROM unnest($9::int[], $10::jsonb[], $11::jsonb[]) WITH ORDINALITY AS i(item_index, input, secret_slots, position)
          ORDER BY i.position
         RETURNING name, item_index)
       INSERT INTO run_events (run_id, type, task, attempt)
       SELECT $1, 'task_queued', name, 1 FROM inserted ORDER BY item_index`,
      [
        fanOut.runId,
        fanOut.name,
        fanOut.type,
        fanOut.priority,
        fanOut.timeoutMs ?? null,
        fanOut.heartbeatTimeoutMs ?? null,
        fanOut.scheduleToStartMs ?? null,
        fanOut.parentTaskRunId,
        instances.map((i) => i.itemIndex),
        instances.map((i) => jsonParameter(i.input)),
        instances.map((i) => (i.secretSlots.length > 0 ? JSON.stringify(i.secretSlots) : null)),
      ],
    );
  }

  /**
   * The instances of a fan-out with item index in [from, to) that are still queued: what is sent to the
   * queue after the expansion commits, a range at a time. A range, not ORDER BY ... LIMIT: right after a
   * large expansion the statistics still say the fan-out has a few instances, and a plan made on that
   * would read and sort all of them for every page.
   */
  async queuedInstances(db: Queryable, parentTaskRunId: string, from: number, to: number): Promise<TaskRunRow[]> {
    return queryRows<TaskRunRow>(
      db,
      `SELECT ${TASK_COLUMNS} FROM task_runs
        WHERE parent_task_run_id = $1 AND item_index >= $2 AND item_index < $3 AND status = 'queued'`,
      [parentTaskRunId, from, to],
    );
  }

  /** A `forEach` task that expanded into `total` instances: it runs until they have all ended. */
  async markFannedOut(tx: Queryable, items: readonly { id: string; total: number; input: unknown }[]): Promise<void> {
    if (items.length === 0) return;
    await tx.query(
      `UPDATE task_runs t
          SET status = 'running', attempt = 1, input = u.input, instances_total = u.total, instances_succeeded = 0, instances_failed = 0,
              queued_at = now(), started_at = now(), finished_at = NULL
         FROM unnest($1::bigint[], $2::int[], $3::jsonb[]) AS u(id, total, input)
        WHERE t.id = u.id`,
      [items.map((i) => i.id), items.map((i) => i.total), items.map((i) => jsonParameter(i.input))],
    );
  }

  countInstancesStatement(counts: readonly { parentId: string; succeeded: number; failed: number }[]): Statement | undefined {
    if (counts.length === 0) return undefined;
    return {
      sql: `UPDATE task_runs t
          SET instances_succeeded = t.instances_succeeded + u.succeeded, instances_failed = t.instances_failed + u.failed
         FROM (SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[]) AS u(id, succeeded, failed) ORDER BY id) u
        WHERE t.id = u.id AND t.status = 'running'
      RETURNING t.id, t.run_id AS "runId", t.name, t.instances_total AS "instancesTotal",
                t.instances_succeeded AS "instancesSucceeded", t.instances_failed AS "instancesFailed"`,
      parameters: [counts.map((c) => c.parentId), counts.map((c) => c.succeeded), counts.map((c) => c.failed)],
    };
  }

  /** Instance outputs in item order: read once, when the fan-out ends. */
  async instanceOutputs(db: Queryable, parentId: string): Promise<unknown[]> {
    const rows = await queryRows<{ output: unknown }>(
      db,
      `SELECT output FROM task_runs WHERE parent_task_run_id = $1 ORDER BY item_index`,
      [parentId],
    );
    return rows.map((row) => row.output ?? null);
  }

  /** Revives fan-out tasks whose failed instances are being retried. */
  async reviveFanOut(tx: Queryable, items: readonly { id: string; failedRetried: number }[]): Promise<void> {
    if (items.length === 0) return;
    await tx.query(
      `UPDATE task_runs t SET status = 'running', finished_at = NULL, error = NULL, output = NULL,
              instances_failed = GREATEST(0, t.instances_failed - u.retried)
         FROM unnest($1::bigint[], $2::int[]) AS u(id, retried) WHERE t.id = u.id`,
      [items.map((i) => i.id), items.map((i) => i.failedRetried)],
    );
  }
}
