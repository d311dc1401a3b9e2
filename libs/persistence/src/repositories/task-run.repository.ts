import { TASK_COLUMNS, taskRunRowFromJson, type TaskRunRow } from './task-run-row';
import { RUN_COLUMNS, runRowFromJson, type RunRow } from './run-row';
import type { Statement } from '../statement';
import { queryRows, type Queryable } from '../queryable';
import { jsonParameter } from './json-values';
import type { SecretSlot, TaskFailure, TaskStatus } from '@flowctl/core';

/** The counters a dependent needs for its trigger decision. */
export interface ReleasedTask {
  id: string;
  runId: string;
  name: string;
  depsTotal: number;
  depsSucceeded: number;
  depsFailed: number;
  depsSkipped: number;
}

/** A task on its way to a queue; `secretSlots` only with a freshly rendered input (see markQueuedStatement). */
export interface QueuedTask {
  id: string;
  attempt: number;
  input: unknown;
  budgetStart?: number;
  secretSlots?: readonly SecretSlot[];
}

/** One upstream outcome counted against one dependent. */
export interface DependencyRelease {
  runId: string;
  name: string;
  succeeded: number;
  failed: number;
  skipped: number;
}

/**
 * How long past its start-to-close timeout a running attempt may go before the
 * scheduler ends it: the worker enforces the exact timeout itself, and this
 * backstop only acts when the worker is gone.
 */
export const START_TO_CLOSE_GRACE_MS = 5_000;

/** The running deadline: start-to-close (plus the backstop's grace) or the heartbeat, whichever comes first. */
const RUNNING_DEADLINE = (startedAt: string, heartbeatAt: string, graceMs = `${START_TO_CLOSE_GRACE_MS}`) =>
  `LEAST(${startedAt} + (t.timeout_ms + ${graceMs}) * interval '1 millisecond', ${heartbeatAt} + t.heartbeat_timeout_ms * interval '1 millisecond')`;

const RELEASED_COLUMNS = `t.id, t.run_id AS "runId", t.name, t.deps_total AS "depsTotal", t.deps_succeeded AS "depsSucceeded",
  t.deps_failed AS "depsFailed", t.deps_skipped AS "depsSkipped"`;

/** A task leaving queued or running: a terminal state, or retrying with its retry time. */
export interface FinishedTask {
  id: string;
  status: TaskStatus;
  output?: unknown;
  error?: TaskFailure;
  retryAt?: Date;
  workerId?: string;
  startedAt?: Date;
  /** When the worker says it ended (its clock, as startedAt); else the transaction's time. */
  finishedAt?: Date;
  heartbeatDetails?: unknown;
  /** For a retry, the trace context its next attempt continues. */
  retryTraceparent?: string;
}

/** Where one task stands: see TaskRunRepository.attemptState. */
export interface AttemptState {
  attempt: number;
  status: TaskStatus;
  workerId: string | null;
  /** The type of the failure it last ended with, if any. */
  errorType: string | null;
  runStatus: string;
}

/**
 * The engine's task runs: locking them (always after their runs, in id order), the few reads a
 * decision needs, and every state write. A write is a Statement the caller sends, carries with the
 * COMMIT or runs through `execute`, so each exists once.
 */
export class TaskRunRepository {
  /** A run's tasks that depend on nothing: what starts it. */
  async roots(db: Queryable, runId: string): Promise<{ id: string; name: string }[]> {
    return queryRows(
      db,
      `SELECT id, name FROM task_runs WHERE run_id = $1 AND deps_total = 0 AND status = 'pending' AND parent_task_run_id IS NULL ORDER BY id`,
      [runId],
    );
  }

  /** As they are now, without locking them. */
  async findByIds(db: Queryable, ids: readonly string[]): Promise<TaskRunRow[]> {
    if (ids.length === 0) return [];
    return queryRows<TaskRunRow>(db, `SELECT ${TASK_COLUMNS} FROM task_runs WHERE id = ANY($1::bigint[]) ORDER BY id`, [ids]);
  }

  /** Sets tasks back to pending with recomputed upstream counters: the first step of a retry or a requeue. */
  async reopen(
    tx: Queryable,
    items: readonly { id: string; depsSucceeded: number; depsFailed: number; depsSkipped: number; budgetStart?: number }[],
  ): Promise<void> {
    if (items.length === 0) return;
    await tx.query(
      `UPDATE task_runs t
          SET status = 'pending', deps_succeeded = u.s, deps_failed = u.f, deps_skipped = u.k, output = NULL,
              finished_at = NULL, retry_at = NULL, timeout_at = NULL, budget_start = COALESCE(u.budget_start, t.budget_start)
         FROM unnest($1::bigint[], $2::int[], $3::int[], $4::int[], $5::int[]) AS u(id, s, f, k, budget_start)
        WHERE t.id = u.id`,
      [
        items.map((i) => i.id),
        items.map((i) => i.depsSucceeded),
        items.map((i) => i.depsFailed),
        items.map((i) => i.depsSkipped),
        items.map((i) => i.budgetStart ?? null),
      ],
    );
  }

  /** Locks in id order, the one order every writer uses, so batches never deadlock each other. */
  async lock(tx: Queryable, ids: readonly string[]): Promise<TaskRunRow[]> {
    return queryRows<TaskRunRow>(tx, `SELECT ${TASK_COLUMNS} FROM task_runs WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`, [ids]);
  }

  /**
   * Locks runs, then the named task runs of those runs, in one round trip. The
   * task CTE reads the run CTE, so PostgreSQL must lock the runs first: the
   * lock order of every engine transaction. Both come back through to_jsonb
   * because one result set cannot hold two row shapes.
   *
   * The run check compares text on purpose: it must not be usable through an index on run_id. With
   * `run_id IN (locked runs)` the planner read the whole run along task_runs_by_run and filtered it by
   * id, because with no statistics yet for a fan-out's fresh rows it guesses a run holds a few hundred
   * tasks: each batch of results read all 100,000 of a large fan-out (20 – 150 ms a batch, growing with
   * the run). Now the only way in is the primary key, one probe per task named.
   */
  async lockWithRuns(
    tx: Queryable,
    runIds: readonly string[],
    taskRunIds: readonly string[],
  ): Promise<{ runs: RunRow[]; tasks: TaskRunRow[] }> {
    const rows = await queryRows<{ kind: 'run' | 'task'; row: Record<string, unknown> }>(
      tx,
      `WITH locked_runs AS MATERIALIZED (SELECT ${RUN_COLUMNS} FROM runs WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE),
            locked_tasks AS MATERIALIZED (
              SELECT ${TASK_COLUMNS} FROM task_runs
               WHERE id = ANY($2::bigint[]) AND run_id::text IN (SELECT id::text FROM locked_runs) ORDER BY id FOR UPDATE)
       SELECT 'run' AS kind, to_jsonb(r) AS row FROM locked_runs r
       UNION ALL
       SELECT 'task', to_jsonb(t) FROM locked_tasks t`,
      [runIds, taskRunIds],
    );
    const runs: RunRow[] = [];
    const tasks: TaskRunRow[] = [];
    for (const { kind, row } of rows) {
      if (kind === 'run') runs.push(runRowFromJson(row));
      else tasks.push(taskRunRowFromJson(row));
    }
    return { runs, tasks };
  }

  async lockRun(tx: Queryable, runId: string): Promise<TaskRunRow[]> {
    return queryRows<TaskRunRow>(tx, `SELECT ${TASK_COLUMNS} FROM task_runs WHERE run_id = $1 ORDER BY id FOR UPDATE`, [runId]);
  }

  /** Status and output of just the tasks a template reads: never the whole run. */
  async outputs(db: Queryable, runId: string, names: readonly string[]): Promise<{ name: string; status: TaskStatus; output: unknown }[]> {
    if (names.length === 0) return [];
    return queryRows(db, `SELECT name, status, output FROM task_runs WHERE run_id = $1 AND name = ANY($2::text[])`, [runId, names]);
  }

  releaseDependentsStatement(releases: readonly DependencyRelease[]): Statement | undefined {
    if (releases.length === 0) return undefined;
    return {
      sql: `UPDATE task_runs t
          SET deps_succeeded = t.deps_succeeded + u.succeeded, deps_failed = t.deps_failed + u.failed, deps_skipped = t.deps_skipped + u.skipped
         FROM (SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::int[]) AS u(run_id, name, succeeded, failed, skipped)
                ORDER BY run_id, name) u
        WHERE t.run_id = u.run_id AND t.name = u.name AND t.status = 'pending'
      RETURNING ${RELEASED_COLUMNS}`,
      parameters: [
        releases.map((r) => r.runId),
        releases.map((r) => r.name),
        releases.map((r) => r.succeeded),
        releases.map((r) => r.failed),
        releases.map((r) => r.skipped),
      ],
    };
  }

  /**
   * `secretSlots` goes with a freshly rendered input (an empty list clears
   * them); another attempt of the same input leaves it out and keeps them.
   */
  markQueuedStatement(items: readonly QueuedTask[]): Statement | undefined {
    if (items.length === 0) return undefined;
    return {
      sql: `UPDATE task_runs t
          SET status = 'queued', attempt = u.attempt, input = u.input, queued_at = now(), started_at = NULL, finished_at = NULL,
              worker_id = NULL, retry_at = NULL, budget_start = COALESCE(u.budget_start, t.budget_start),
              timeout_at = now() + t.schedule_to_start_ms * interval '1 millisecond',
              secret_slots = CASE WHEN u.secret_slots IS NULL THEN t.secret_slots
                                  WHEN u.secret_slots = '[]'::jsonb THEN NULL ELSE u.secret_slots END
         FROM unnest($1::bigint[], $2::int[], $3::jsonb[], $4::int[], $5::jsonb[]) AS u(id, attempt, input, budget_start, secret_slots)
        WHERE t.id = u.id`,
      parameters: [
        items.map((i) => i.id),
        items.map((i) => i.attempt),
        items.map((i) => jsonParameter(i.input)),
        items.map((i) => i.budgetStart ?? null),
        items.map((i) => jsonParameter(i.secretSlots)),
      ],
    };
  }

  markRunningStatement(
    items: readonly { id: string; workerId: string; startedAt: Date; deadlineGraceMs?: number }[],
  ): Statement | undefined {
    if (items.length === 0) return undefined;
    return {
      sql: `UPDATE task_runs t SET status = 'running', worker_id = u.worker_id, started_at = u.started_at, heartbeat_at = u.started_at,
              timeout_at = ${RUNNING_DEADLINE('u.started_at', 'u.started_at', 'u.grace')}
         FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::int[]) AS u(id, worker_id, started_at, grace)
        WHERE t.id = u.id`,
      parameters: [
        items.map((i) => i.id),
        items.map((i) => i.workerId),
        items.map((i) => i.startedAt),
        items.map((i) => i.deadlineGraceMs ?? START_TO_CLOSE_GRACE_MS),
      ],
    };
  }

  markFinishedStatement(items: readonly FinishedTask[]): Statement | undefined {
    if (items.length === 0) return undefined;
    return {
      sql: `UPDATE task_runs t
          SET status = u.status, output = u.output, error = u.error, retry_at = u.retry_at, timeout_at = NULL,
              finished_at = CASE WHEN u.status = 'retrying' THEN t.finished_at ELSE COALESCE(u.finished_at, now()) END,
              worker_id = COALESCE(u.worker_id, t.worker_id), started_at = COALESCE(t.started_at, u.started_at),
              heartbeat_details = COALESCE(u.heartbeat_details, t.heartbeat_details), retry_traceparent = u.retry_traceparent
         FROM unnest($1::bigint[], $2::text[], $3::jsonb[], $4::jsonb[], $5::timestamptz[], $6::text[], $7::timestamptz[], $8::jsonb[], $9::timestamptz[],
                     $10::text[])
              AS u(id, status, output, error, retry_at, worker_id, started_at, heartbeat_details, finished_at, retry_traceparent)
        WHERE t.id = u.id`,
      parameters: [
        items.map((i) => i.id),
        items.map((i) => i.status),
        items.map((i) => jsonParameter(i.output)),
        items.map((i) => jsonParameter(i.error)),
        items.map((i) => i.retryAt ?? null),
        items.map((i) => i.workerId ?? null),
        items.map((i) => i.startedAt ?? null),
        items.map((i) => jsonParameter(i.heartbeatDetails)),
        items.map((i) => i.finishedAt ?? null),
        items.map((i) => i.retryTraceparent ?? null),
      ],
    };
  }

  markSkippedStatement(ids: readonly string[], status: 'skipped' | 'cancelled' = 'skipped'): Statement | undefined {
    if (ids.length === 0) return undefined;
    return {
      sql: `UPDATE task_runs SET status = $2, finished_at = now(), retry_at = NULL, timeout_at = NULL WHERE id = ANY($1::bigint[])`,
      parameters: [ids, status],
    };
  }

  async recordHeartbeats(db: Queryable, items: readonly { id: string; attempt: number; details: unknown; at: Date }[]): Promise<void> {
    if (items.length === 0) return;
    await db.query(
      `UPDATE task_runs t SET heartbeat_details = COALESCE(u.details, t.heartbeat_details), heartbeat_at = u.at,
              timeout_at = CASE WHEN t.status = 'running' THEN ${RUNNING_DEADLINE('t.started_at', 'u.at')} ELSE t.timeout_at END
         FROM unnest($1::bigint[], $2::int[], $3::jsonb[], $4::timestamptz[]) AS u(id, attempt, details, at)
        WHERE t.id = u.id AND t.attempt = u.attempt AND t.status IN ('queued', 'running')`,
      [items.map((i) => i.id), items.map((i) => i.attempt), items.map((i) => jsonParameter(i.details)), items.map((i) => i.at)],
    );
  }

  /**
   * Where a task stands, with its run's status: what the HTTP worker protocol checks an attempt against
   * (is it still this attempt, still queued or running, and is its run being cancelled?).
   */
  async attemptState(db: Queryable, id: string): Promise<AttemptState | undefined> {
    const [row] = await queryRows<AttemptState>(
      db,
      `SELECT t.attempt, t.status, t.worker_id AS "workerId", t.error->>'type' AS "errorType", r.status AS "runStatus"
         FROM task_runs t JOIN runs r ON r.id = t.run_id WHERE t.id = $1`,
      [id],
    );
    return row;
  }
}
