import { execute, type Statement } from '../statement';
import { TASK_STATUSES, type SecretSlot, type TaskFailure, type TaskStatus } from '@flowctl/core';
import { queryEarliest, queryRows, type Queryable } from '../queryable';
import { dateOrNull, RUN_COLUMNS, runRowFromJson, type RunRow } from './run.repository';

export interface TaskRunRow {
  id: string;
  runId: string;
  name: string;
  type: string;
  status: TaskStatus;
  attempt: number;
  budgetStart: number;
  priority: number;
  depsTotal: number;
  depsSucceeded: number;
  depsFailed: number;
  depsSkipped: number;
  /** The rendered `with`, with a placeholder wherever a secret goes (never a secret's value). */
  input: unknown;
  /** Where in `input` the worker fills in secrets; null when the task reads none. */
  secretSlots: SecretSlot[] | null;
  output: unknown;
  error: TaskFailure | null;
  workerId: string | null;
  heartbeatDetails: unknown;
  heartbeatAt: Date | null;
  queuedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  retryAt: Date | null;
  timeoutMs: number | null;
  heartbeatTimeoutMs: number | null;
  scheduleToStartMs: number | null;
  /** The earliest deadline of the current state (schedule-to-start, start-to-close or heartbeat). */
  timeoutAt: Date | null;
  /** Set on the instances of a `forEach` task: the fan-out task they belong to. */
  parentTaskRunId: string | null;
  itemIndex: number | null;
  /** On a `forEach` task once it has fanned out: how many instances, and how they ended so far. */
  instancesTotal: number | null;
  instancesSucceeded: number;
  instancesFailed: number;
  /** While retrying (tracing on): the W3C trace context the next attempt continues. */
  retryTraceparent: string | null;
  /** Set by a page read with a size cap: the value was too large to come inline (null here). */
  inputTruncated?: boolean;
  outputTruncated?: boolean;
}

export interface FanOutProgress {
  id: string;
  runId: string;
  name: string;
  instancesTotal: number;
  instancesSucceeded: number;
  instancesFailed: number;
}

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

export interface NewTaskRun {
  name: string;
  type: string;
  priority: number;
  depsTotal: number;
  timeoutMs?: number;
  heartbeatTimeoutMs?: number;
  scheduleToStartMs?: number;
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

/** One upstream outcome counted against one dependent. */
export interface DependencyRelease {
  runId: string;
  name: string;
  succeeded: number;
  failed: number;
  skipped: number;
}

/**
 * Whether a jsonb column is stored larger than $4 bytes: PostgreSQL's stored size, after compression, read
 * without decompressing. Measuring the JSON text instead would serialise every large value on every page.
 */
const LARGE = (column: string, limit = '$4') => `(pg_column_size(${column}) > ${limit})`;

const TASK_COLUMNS = `id, run_id AS "runId", name, type, status, attempt, budget_start AS "budgetStart", priority,
  deps_total AS "depsTotal", deps_succeeded AS "depsSucceeded", deps_failed AS "depsFailed", deps_skipped AS "depsSkipped",
  input, secret_slots AS "secretSlots", output, error, worker_id AS "workerId", heartbeat_details AS "heartbeatDetails", heartbeat_at AS "heartbeatAt",
  queued_at AS "queuedAt", started_at AS "startedAt", finished_at AS "finishedAt", retry_at AS "retryAt",
  timeout_ms AS "timeoutMs", heartbeat_timeout_ms AS "heartbeatTimeoutMs", schedule_to_start_ms AS "scheduleToStartMs",
  timeout_at AS "timeoutAt", parent_task_run_id AS "parentTaskRunId", item_index AS "itemIndex",
  instances_total AS "instancesTotal", instances_succeeded AS "instancesSucceeded", instances_failed AS "instancesFailed",
  retry_traceparent AS "retryTraceparent"`;

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

/** TASK_COLUMNS of a subquery `t` that computed input_large/output_large: those values come as null, flagged. */
const cappedColumns = () =>
  `${TASK_COLUMNS.replace('input,', 'CASE WHEN t.input_large THEN NULL ELSE input END AS input,').replace(
    'output,',
    'CASE WHEN t.output_large THEN NULL ELSE output END AS output,',
  )}, t.input_large AS "inputTruncated", t.output_large AS "outputTruncated"`;

/**
 * Instance statuses as one letter each: 'A' + the status's place in TASK_STATUSES
 * (A pending, B queued, C running, ...). What instanceStatusLetters answers.
 */
export const instanceStatusOfLetter = (letter: string): TaskStatus | undefined => TASK_STATUSES[letter.charCodeAt(0) - 65];

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

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

export class TaskRunRepository {
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
        instances.map((i) => json(i.input)),
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

  /** A run's tasks that depend on nothing: what starts it. */
  async roots(db: Queryable, runId: string): Promise<{ id: string; name: string }[]> {
    return queryRows(
      db,
      `SELECT id, name FROM task_runs WHERE run_id = $1 AND deps_total = 0 AND status = 'pending' AND parent_task_run_id IS NULL ORDER BY id`,
      [runId],
    );
  }

  /** Only where a task run's current attempt stands: what a live log stream re-reads to know when to end. */
  async findAttemptState(db: Queryable, id: string): Promise<{ status: TaskStatus; attempt: number } | undefined> {
    const [row] = await queryRows<{ status: TaskStatus; attempt: number }>(db, `SELECT status, attempt FROM task_runs WHERE id = $1`, [id]);
    return row;
  }

  async find(db: Queryable, runId: string, name: string): Promise<TaskRunRow | undefined> {
    const [row] = await queryRows<TaskRunRow>(db, `SELECT ${TASK_COLUMNS} FROM task_runs WHERE run_id = $1 AND name = $2`, [runId, name]);
    return row;
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

  /**
   * A page of a run's tasks. With `maxValueBytes`, an input or output stored
   * larger than that is left out (null, flagged truncated): a fan-out's list of
   * 100,000 outputs would otherwise be parsed and sent with every page, and the
   * task's own endpoint serves it whole.
   */
  async forRun(db: Queryable, runId: string, options: { afterId?: string; limit: number; maxValueBytes?: number }): Promise<TaskRunRow[]> {
    const columns = options.maxValueBytes === undefined ? TASK_COLUMNS : cappedColumns();
    return queryRows<TaskRunRow>(
      db,
      // Along task_runs_by_run (run_id, id) whatever the statistics say, so any page of a 100,000-task
      // run reads just that page (see the function's migration).
      options.maxValueBytes === undefined
        ? `SELECT ${columns} FROM flowctl_run_task_page($1, $2, $3)`
        : `SELECT ${columns} FROM (SELECT p.*, ${LARGE('input')} AS input_large, ${LARGE('output')} AS output_large
                                    FROM flowctl_run_task_page($1, $2, $3) p) t`,
      [runId, options.afterId ?? '0', options.limit, ...(options.maxValueBytes === undefined ? [] : [options.maxValueBytes])],
    );
  }

  /**
   * A run's tasks that are not forEach instances (the workflow's own tasks, at most its task limit),
   * in id order, with large values capped as in forRun. Live views read these whole and the instances
   * as counts: a 100,000-instance run then costs its few template rows, not 100,000.
   */
  async plainTasks(db: Queryable, runId: string, options: { maxValueBytes: number }): Promise<TaskRunRow[]> {
    return queryRows<TaskRunRow>(
      db,
      `SELECT ${cappedColumns()} FROM (SELECT p.*, ${LARGE('input', '$2')} AS input_large, ${LARGE('output', '$2')} AS output_large
                                         FROM flowctl_run_plain_tasks($1) p) t
        ORDER BY t.id`,
      [runId, options.maxValueBytes],
    );
  }

  /**
   * The status of every instance of a fan-out task, in item order, one letter each (see
   * INSTANCE_STATUS_LETTERS): 100,000 instances come back as one 100 kB string rather than as
   * 100,000 rows.
   */
  async instanceStatusLetters(db: Queryable, parentId: string): Promise<string> {
    const [row] = await queryRows<{ letters: string | null }>(db, `SELECT flowctl_instance_status_letters($1, $2::text[]) AS letters`, [
      parentId,
      TASK_STATUSES,
    ]);
    return row?.letters ?? '';
  }

  /** A page of a fan-out task's instances in item order, optionally of one status, with large values capped. */
  async instancePage(
    db: Queryable,
    parentId: string,
    options: { afterIndex?: number; limit: number; status?: TaskStatus; maxValueBytes: number },
  ): Promise<TaskRunRow[]> {
    return queryRows<TaskRunRow>(
      db,
      // Along task_runs_instances (parent_task_run_id, item_index): a page reads just that page, or,
      // filtered by a rare status, scans the instances once without sorting them.
      `SELECT ${cappedColumns()} FROM (SELECT p.*, ${LARGE('input')} AS input_large, ${LARGE('output')} AS output_large
                                         FROM task_runs p
                                        WHERE p.parent_task_run_id = $1 AND p.item_index > $2 AND ($3::text IS NULL OR p.status = $3)
                                        ORDER BY p.item_index LIMIT $5) t
        ORDER BY t.item_index`,
      [parentId, options.afterIndex ?? -1, options.status ?? null, options.maxValueBytes, options.limit],
    );
  }

  /** Status and output of just the tasks a template reads: never the whole run. */
  async outputs(db: Queryable, runId: string, names: readonly string[]): Promise<{ name: string; status: TaskStatus; output: unknown }[]> {
    if (names.length === 0) return [];
    return queryRows(db, `SELECT name, status, output FROM task_runs WHERE run_id = $1 AND name = ANY($2::text[])`, [runId, names]);
  }

  /**
   * Counts finished upstream tasks against their dependents: O(1) per edge, one
   * statement per wave. Only still-pending dependents change, so a dependent that
   * an early trigger decision already queued or skipped is left alone.
   */

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

  /** A `forEach` task that expanded into `total` instances: it runs until they have all ended. */
  async markFannedOut(tx: Queryable, items: readonly { id: string; total: number; input: unknown }[]): Promise<void> {
    if (items.length === 0) return;
    await tx.query(
      `UPDATE task_runs t
          SET status = 'running', attempt = 1, input = u.input, instances_total = u.total, instances_succeeded = 0, instances_failed = 0,
              queued_at = now(), started_at = now(), finished_at = NULL
         FROM unnest($1::bigint[], $2::int[], $3::jsonb[]) AS u(id, total, input)
        WHERE t.id = u.id`,
      [items.map((i) => i.id), items.map((i) => i.total), items.map((i) => json(i.input))],
    );
  }

  /** Counts ended instances against their fan-out task, one UPDATE per batch, returning the new totals. */

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

  /** Puts tasks on their way to a queue with a resolved input and the attempt number they will run as. */
  async markQueued(tx: Queryable, items: readonly QueuedTask[]): Promise<void> {
    await execute(tx, this.markQueuedStatement(items));
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
        items.map((i) => json(i.input)),
        items.map((i) => i.budgetStart ?? null),
        items.map((i) => json(i.secretSlots)),
      ],
    };
  }

  /**
   * `deadlineGraceMs` 0 is for steps the scheduler runs itself (approvals, child runs): no worker
   * enforces their timeout first, so the scheduler's deadline is the timeout itself.
   */
  async markRunning(
    tx: Queryable,
    items: readonly { id: string; workerId: string; startedAt: Date; deadlineGraceMs?: number }[],
  ): Promise<void> {
    await execute(tx, this.markRunningStatement(items));
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

  /** Terminal and retrying states in one statement: output, error and retry time as each needs. */
  async markFinished(tx: Queryable, items: readonly FinishedTask[]): Promise<void> {
    await execute(tx, this.markFinishedStatement(items));
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
        items.map((i) => json(i.output)),
        items.map((i) => json(i.error)),
        items.map((i) => i.retryAt ?? null),
        items.map((i) => i.workerId ?? null),
        items.map((i) => i.startedAt ?? null),
        items.map((i) => json(i.heartbeatDetails)),
        items.map((i) => i.finishedAt ?? null),
        items.map((i) => i.retryTraceparent ?? null),
      ],
    };
  }

  async markSkipped(tx: Queryable, ids: readonly string[], status: 'skipped' | 'cancelled' = 'skipped'): Promise<void> {
    await execute(tx, this.markSkippedStatement(ids, status));
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
      [items.map((i) => i.id), items.map((i) => i.attempt), items.map((i) => json(i.details)), items.map((i) => i.at)],
    );
  }

  /**
   * Claims retries whose backoff has elapsed, oldest first. SKIP LOCKED lets a
   * claim proceed past rows a result batch holds instead of waiting on them.
   */
  async claimDueRetries(tx: Queryable, limit: number): Promise<TaskRunRow[]> {
    return queryRows<TaskRunRow>(
      tx,
      `SELECT ${TASK_COLUMNS} FROM task_runs WHERE status = 'retrying' AND retry_at <= now()
        ORDER BY retry_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  async nextRetryAt(db: Queryable): Promise<Date | null> {
    return queryEarliest(db, `SELECT min(retry_at) AS at FROM task_runs WHERE status = 'retrying'`);
  }

  /** Attempts past a deadline of their current state, oldest deadline first. */
  async overdue(db: Queryable, limit: number): Promise<TaskRunRow[]> {
    return queryRows<TaskRunRow>(
      db,
      `SELECT ${TASK_COLUMNS} FROM task_runs WHERE timeout_at <= now() AND status IN ('queued', 'running') ORDER BY timeout_at LIMIT $1`,
      [limit],
    );
  }

  async nextTimeoutAt(db: Queryable): Promise<Date | null> {
    return queryEarliest(
      db,
      `SELECT min(timeout_at) AS at FROM task_runs WHERE timeout_at IS NOT NULL AND status IN ('queued', 'running')`,
    );
  }

  /** Attempts started by these workers and not yet ended: what a lost worker leaves behind. */
  async runningOnWorkers(db: Queryable, workerIds: readonly string[], limit: number): Promise<TaskRunRow[]> {
    if (workerIds.length === 0) return [];
    return queryRows<TaskRunRow>(
      db,
      `SELECT ${TASK_COLUMNS} FROM task_runs WHERE status = 'running' AND worker_id = ANY($1::text[]) ORDER BY id LIMIT $2`,
      [workerIds, limit],
    );
  }

  /** Tasks PostgreSQL says are on a queue or running: what the reconciler checks against the transport. */
  async inFlight(db: Queryable, options: { queuedBefore: Date; afterId?: string; limit: number }): Promise<TaskRunRow[]> {
    return queryRows<TaskRunRow>(
      db,
      `SELECT ${TASK_COLUMNS} FROM task_runs
        WHERE status IN ('queued', 'running') AND queued_at < $1 AND ($2::bigint IS NULL OR id > $2)
        ORDER BY id LIMIT $3`,
      [options.queuedBefore, options.afterId ?? null, options.limit],
    );
  }
}

/** A task run row that travelled as JSON: bigint ids come back as numbers and timestamps as text. */
function taskRunRowFromJson(json: Record<string, unknown>): TaskRunRow {
  const row = json as unknown as TaskRunRow;
  return {
    ...row,
    id: String(json.id),
    parentTaskRunId: json.parentTaskRunId === null ? null : String(json.parentTaskRunId),
    heartbeatAt: dateOrNull(json.heartbeatAt),
    queuedAt: dateOrNull(json.queuedAt),
    startedAt: dateOrNull(json.startedAt),
    finishedAt: dateOrNull(json.finishedAt),
    retryAt: dateOrNull(json.retryAt),
    timeoutAt: dateOrNull(json.timeoutAt),
  };
}
