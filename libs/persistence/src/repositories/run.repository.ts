import type { Statement } from '../statement';
import type { RunStatus } from '@flowctl/core';
import type { NewTaskRun } from './task-run-row';
import { RUN_COLUMNS, runRowFromJson, type RunRow } from './run-row';
import { queryEarliest, queryRows, type Queryable } from '../queryable';

export interface NewRun {
  id: string;
  namespace: string;
  workflowName: string;
  workflowVersionId: string;
  version: number;
  status: RunStatus;
  inputs: Record<string, unknown>;
  idempotencyKey?: string;
  tasksTotal: number;
  /** Whole-run timeout (spec.timeout), counted from creation. */
  timeoutMs?: number;
  parentRunId?: string;
  parentTaskRunId?: string;
  scheduledFor?: Date;
}

/** The finished states, as the SQL list the retention index (runs_finished) is defined on. */
const FINISHED = `('succeeded', 'failed', 'cancelled', 'timed_out')`;

export interface RunListOptions {
  /** Only these namespaces (a filter asked for, narrowed to what the caller may see); absent: all. */
  namespaces?: readonly string[];
  workflow?: string;
  status?: RunStatus;
  /** Keyset cursor: the (createdAt, id) of the last row of the previous page. */
  before?: { createdAt: string; id: string };
  /** Created-time range: from inclusive, to exclusive (ISO timestamps). */
  createdFrom?: string;
  createdTo?: string;
  limit: number;
}

const idempotencyKeyOf = (namespace: string, workflow: string, key: string | null) => `${namespace}\u0000${workflow}\u0000${key}`;

export class RunRepository {
  /**
   * Inserts runs and the tasks of each run it creates, in one statement, and answers in the order
   * given each stored run, whether this call created it, and the ids of its tasks by name. A run
   * whose idempotency key is taken (before, or by an earlier run of the same call) is not inserted:
   * the run that holds the key is answered instead, with no task ids.
   */
  async insertWithTasks(
    tx: Queryable,
    items: readonly { run: NewRun; tasks: readonly NewTaskRun[] }[],
  ): Promise<{ run: RunRow; created: boolean; taskIds: Map<string, string> }[]> {
    if (items.length === 0) return [];
    const runs = items.map((item) => item.run);
    const tasks = items.flatMap(({ run, tasks }) => tasks.map((task) => ({ runId: run.id, ...task })));
    // Tasks are inserted in the order given (ordinality), so their ids follow the definition as a run's pages do.
    const rows = await queryRows<{ kind: 'run' | 'task'; row: Record<string, unknown> }>(
      tx,
      `WITH inserted AS (
         INSERT INTO runs (id, namespace, workflow_name, workflow_version_id, version, status, inputs, idempotency_key, tasks_total, tasks_open,
                           started_at, deadline_at, parent_run_id, parent_task_run_id, scheduled_for)
         SELECT r.id, r.namespace, r.workflow_name, r.workflow_version_id, r.version, r.status, r.inputs::jsonb, r.idempotency_key, r.tasks_total,
                r.tasks_total, CASE WHEN r.status = 'running' THEN now() END, now() + r.timeout_ms * interval '1 millisecond',
                r.parent_run_id, r.parent_task_run_id, r.scheduled_for
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::text[], $7::text[], $8::text[], $9::int[], $10::int[],
                       $11::uuid[], $12::bigint[], $13::timestamptz[])
                AS r(id, namespace, workflow_name, workflow_version_id, version, status, inputs, idempotency_key, tasks_total, timeout_ms,
                     parent_run_id, parent_task_run_id, scheduled_for)
         ON CONFLICT (namespace, workflow_name, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING ${RUN_COLUMNS}
       ),
       inserted_tasks AS (
         INSERT INTO task_runs (run_id, name, type, status, priority, deps_total, timeout_ms, heartbeat_timeout_ms, schedule_to_start_ms)
         SELECT t.run_id, t.name, t.type, 'pending', t.priority, t.deps_total, t.timeout_ms, t.heartbeat_timeout_ms, t.schedule_to_start_ms
           FROM unnest($14::uuid[], $15::text[], $16::text[], $17::smallint[], $18::int[], $19::int[], $20::int[], $21::int[]) WITH ORDINALITY
                AS t(run_id, name, type, priority, deps_total, timeout_ms, heartbeat_timeout_ms, schedule_to_start_ms, ord)
          WHERE t.run_id IN (SELECT id FROM inserted)
          ORDER BY t.ord
         RETURNING id, run_id, name
       )
       SELECT 'run' AS kind, to_jsonb(r) AS row FROM inserted r
       UNION ALL
       SELECT 'task', jsonb_build_object('id', t.id::text, 'runId', t.run_id, 'name', t.name) FROM inserted_tasks t`,
      [
        runs.map((run) => run.id),
        runs.map((run) => run.namespace),
        runs.map((run) => run.workflowName),
        runs.map((run) => run.workflowVersionId),
        runs.map((run) => run.version),
        runs.map((run) => run.status),
        runs.map((run) => JSON.stringify(run.inputs)),
        runs.map((run) => run.idempotencyKey ?? null),
        runs.map((run) => run.tasksTotal),
        runs.map((run) => run.timeoutMs ?? null),
        runs.map((run) => run.parentRunId ?? null),
        runs.map((run) => run.parentTaskRunId ?? null),
        runs.map((run) => run.scheduledFor ?? null),
        tasks.map((t) => t.runId),
        tasks.map((t) => t.name),
        tasks.map((t) => t.type),
        tasks.map((t) => t.priority),
        tasks.map((t) => t.depsTotal),
        tasks.map((t) => t.timeoutMs ?? null),
        tasks.map((t) => t.heartbeatTimeoutMs ?? null),
        tasks.map((t) => t.scheduleToStartMs ?? null),
      ],
    );
    const created = new Map<string, RunRow>();
    const taskIds = new Map<string, Map<string, string>>();
    for (const { kind, row } of rows) {
      if (kind === 'run') {
        const run = runRowFromJson(row);
        created.set(run.id, run);
        continue;
      }
      const ids = taskIds.get(row.runId as string) ?? new Map<string, string>();
      ids.set(row.name as string, row.id as string);
      taskIds.set(row.runId as string, ids);
    }
    const holders = await this.idempotencyKeyHolders(
      tx,
      runs.filter((run) => !created.has(run.id)),
    );
    return runs.map((run) => {
      const row = created.get(run.id);
      if (row) return { run: row, created: true, taskIds: taskIds.get(run.id) ?? new Map<string, string>() };
      const holder = holders.get(idempotencyKeyOf(run.namespace, run.workflowName, run.idempotencyKey ?? null));
      if (!holder) throw new Error(`run with idempotency key ${run.idempotencyKey} vanished during insert`);
      return { run: holder, created: false, taskIds: new Map<string, string>() };
    });
  }

  /** The runs that hold the idempotency keys of these (not inserted) runs. */
  private async idempotencyKeyHolders(tx: Queryable, runs: readonly NewRun[]): Promise<Map<string, RunRow>> {
    const holders = new Map<string, RunRow>();
    if (runs.length === 0) return holders;
    const rows = await queryRows<RunRow>(
      tx,
      `SELECT ${RUN_COLUMNS} FROM runs
        WHERE (namespace, workflow_name, idempotency_key) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))`,
      [runs.map((run) => run.namespace), runs.map((run) => run.workflowName), runs.map((run) => run.idempotencyKey)],
    );
    for (const row of rows) holders.set(idempotencyKeyOf(row.namespace, row.workflowName, row.idempotencyKey), row);
    return holders;
  }

  async find(db: Queryable, id: string): Promise<RunRow | undefined> {
    const [row] = await queryRows<RunRow>(db, `SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`, [id]);
    return row;
  }

  async findMany(db: Queryable, ids: readonly string[]): Promise<RunRow[]> {
    if (ids.length === 0) return [];
    return queryRows<RunRow>(db, `SELECT ${RUN_COLUMNS} FROM runs WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** Locks runs in id order (the same order everywhere, so concurrent batches cannot deadlock on them). */
  async lock(tx: Queryable, ids: readonly string[]): Promise<RunRow[]> {
    return queryRows<RunRow>(tx, `SELECT ${RUN_COLUMNS} FROM runs WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
  }

  /**
   * Newest first, keyset-paginated. The cursor's createdAt has millisecond
   * precision (a JS Date) while created_at has microseconds, so the boundary is
   * the cursor row's own created_at, read by id: comparing with the truncated
   * time would skip the runs created earlier in the same millisecond.
   */
  async list(db: Queryable, options: RunListOptions): Promise<RunRow[]> {
    return queryRows<RunRow>(
      db,
      `SELECT ${RUN_COLUMNS} FROM runs
        WHERE ($1::text[] IS NULL OR namespace = ANY($1)) AND ($2::text IS NULL OR workflow_name = $2) AND ($3::text IS NULL OR status = $3)
          AND ($4::timestamptz IS NULL OR (created_at, id) < (COALESCE((SELECT created_at FROM runs WHERE id = $5::uuid), $4), $5::uuid))
          AND ($7::timestamptz IS NULL OR created_at >= $7) AND ($8::timestamptz IS NULL OR created_at < $8)
        ORDER BY created_at DESC, id DESC LIMIT $6`,
      [
        options.namespaces ?? null,
        options.workflow ?? null,
        options.status ?? null,
        options.before?.createdAt ?? null,
        options.before?.id ?? null,
        options.limit,
        options.createdFrom ?? null,
        options.createdTo ?? null,
      ],
    );
  }

  /**
   * Counts tasks that reached a terminal state (or, negative, were reopened)
   * and returns the runs' new counters. A run is over when tasks_open is 0.
   */

  adjustOpenTasksStatement(deltas: readonly { runId: string; closed: number; failed: number; added?: number }[]): Statement | undefined {
    if (deltas.length === 0) return undefined;
    return {
      sql: `UPDATE runs r SET tasks_open = r.tasks_open - d.closed + d.added, tasks_failed = r.tasks_failed + d.failed, tasks_total = r.tasks_total + d.added
         FROM (SELECT * FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[]) AS d(run_id, closed, failed, added) ORDER BY run_id) d
        WHERE r.id = d.run_id
      RETURNING ${RUN_COLUMNS}`,
      parameters: [deltas.map((d) => d.runId), deltas.map((d) => d.closed), deltas.map((d) => d.failed), deltas.map((d) => d.added ?? 0)],
    };
  }

  /** Runs of a workflow not yet finished (running or waiting for a slot): what a schedule's overlap policy looks at. */
  async active(db: Queryable, namespace: string, workflow: string): Promise<RunRow[]> {
    return queryRows<RunRow>(
      db,
      `SELECT ${RUN_COLUMNS} FROM runs WHERE namespace = $1 AND workflow_name = $2 AND status IN ('pending', 'running') ORDER BY created_at`,
      [namespace, workflow],
    );
  }

  async activeChildren(db: Queryable, parentRunId: string): Promise<RunRow[]> {
    return queryRows<RunRow>(db, `SELECT ${RUN_COLUMNS} FROM runs WHERE parent_run_id = $1 AND status IN ('pending', 'running')`, [
      parentRunId,
    ]);
  }

  async countRunning(db: Queryable, namespace: string, workflow: string): Promise<number> {
    const [row] = await queryRows<{ count: number }>(
      db,
      `SELECT count(*)::int AS count FROM runs WHERE namespace = $1 AND workflow_name = $2 AND status = 'running'`,
      [namespace, workflow],
    );
    return row?.count ?? 0;
  }

  /** The oldest runs waiting for a slot under spec.concurrency, started here (status running). */
  async startPending(tx: Queryable, namespace: string, workflow: string, limit: number): Promise<RunRow[]> {
    if (limit <= 0) return [];
    return queryRows<RunRow>(
      tx,
      `UPDATE runs SET status = 'running', started_at = now()
        WHERE id IN (SELECT id FROM runs WHERE namespace = $1 AND workflow_name = $2 AND status = 'pending'
                      ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
      RETURNING ${RUN_COLUMNS}`,
      [namespace, workflow, limit],
    );
  }

  /** Runs past their whole-run timeout, oldest deadline first. */
  async overdue(db: Queryable, limit: number): Promise<RunRow[]> {
    return queryRows<RunRow>(
      db,
      `SELECT ${RUN_COLUMNS} FROM runs WHERE deadline_at <= now() AND status IN ('pending', 'running') ORDER BY deadline_at LIMIT $1`,
      [limit],
    );
  }

  async nextDeadlineAt(db: Queryable): Promise<Date | null> {
    return queryEarliest(db, `SELECT min(deadline_at) AS at FROM runs WHERE deadline_at IS NOT NULL AND status IN ('pending', 'running')`);
  }

  /**
   * Locks the oldest finished runs past `finishedBefore` for pruning: at most
   * `maxRuns`, and no more than about `maxTasks` task runs in all (the first
   * run is always taken, however large). A run with a child run still pending
   * or running is kept: the child reports to it. SKIP LOCKED, so a run being
   * retried or read for update is left for the next batch.
   */
  async lockPrunable(tx: Queryable, finishedBefore: Date, maxRuns: number, maxTasks: number): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `WITH candidates AS (
         SELECT id, finished_at, tasks_total FROM runs r
          WHERE status IN ${FINISHED} AND finished_at < $1
            AND NOT EXISTS (SELECT 1 FROM runs c WHERE c.parent_run_id = r.id AND c.status IN ('pending', 'running'))
          ORDER BY finished_at, id
          LIMIT $2
          FOR UPDATE SKIP LOCKED
       )
       SELECT id FROM (
         SELECT id, sum(tasks_total) OVER (ORDER BY finished_at, id) - tasks_total AS tasks_before FROM candidates
       ) sized
       WHERE tasks_before < $3`,
      [finishedBefore, maxRuns, maxTasks],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Deletes runs with everything that hangs off them: task runs, events and
   * dead letters go by ON DELETE CASCADE (each along an index), and child
   * runs of a deleted parent lose only their link.
   */
  async deleteMany(tx: Queryable, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const deleted = await queryRows<{ id: string }>(tx, `DELETE FROM runs WHERE id = ANY($1::uuid[]) RETURNING id`, [ids]);
    return deleted.length;
  }

  /** When the oldest finished run that pruning may take finished (the retention timer adds the retention period). */
  async earliestPrunableFinish(db: Queryable): Promise<Date | null> {
    return queryEarliest(
      db,
      // ORDER BY ... LIMIT 1 rather than min(): with the anti-join, only this form walks the index.
      `SELECT finished_at AS at FROM runs r
        WHERE status IN ${FINISHED} AND finished_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM runs c WHERE c.parent_run_id = r.id AND c.status IN ('pending', 'running'))
        ORDER BY finished_at LIMIT 1`,
    );
  }

  /** Ends many runs in one statement, each with its own status and no error: what a batch of results finishes. */
  /** Runs that ended, as one statement (it may ride with the transaction's last writes); undefined for none. */
  finishManyStatement(runs: readonly { id: string; status: RunStatus }[]): Statement | undefined {
    if (runs.length === 0) return undefined;
    return {
      sql: `UPDATE runs r SET status = u.status, finished_at = now(), error = NULL
         FROM (SELECT * FROM unnest($1::uuid[], $2::text[]) AS u(id, status) ORDER BY id) u
        WHERE r.id = u.id`,
      parameters: [runs.map((run) => run.id), runs.map((run) => run.status)],
    };
  }

  async setStatus(
    tx: Queryable,
    id: string,
    status: RunStatus,
    options: { finished?: boolean; started?: boolean; error?: unknown } = {},
  ): Promise<void> {
    await tx.query(
      `UPDATE runs SET status = $2,
              finished_at = CASE WHEN $3 THEN now() ELSE NULL END,
              started_at = CASE WHEN $4 AND started_at IS NULL THEN now() ELSE started_at END,
              error = $5
        WHERE id = $1`,
      [id, status, options.finished ?? false, options.started ?? false, options.error === undefined ? null : JSON.stringify(options.error)],
    );
  }
}
