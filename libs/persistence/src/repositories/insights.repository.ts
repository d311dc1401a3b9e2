import { queryRows, type Queryable } from '../queryable';

/** What every insights query is about: finished or started in [since, until), in these namespaces, of this workflow. */
export interface InsightsScope {
  since: Date;
  until: Date;
  /** Undefined: every namespace (a token of all namespaces asking without a filter). */
  namespaces?: readonly string[];
  workflow?: string;
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface RunOutcomeRow {
  /** Null on the row that totals the scope. */
  namespace: string | null;
  workflow: string | null;
  started: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  cancelled: number;
  durationMs: Percentiles;
}

export interface RunOutcomeBucketRow {
  at: Date;
  succeeded: number;
  failed: number;
  timedOut: number;
  cancelled: number;
}

export interface SlowTaskRow {
  namespace: string;
  workflow: string;
  task: string;
  type: string;
  count: number;
  p50Ms: number;
  p95Ms: number;
}

export interface RetriedTaskRow {
  namespace: string;
  workflow: string;
  task: string;
  type: string;
  /** Attempts beyond the first, summed over the task's runs. */
  retries: number;
  /** How many of its task runs needed more than one attempt. */
  retriedRuns: number;
}

export interface QueueWaitRow {
  type: string;
  count: number;
  p50Ms: number;
  p95Ms: number;
}

export interface CountBucketRow {
  at: Date;
  count: number;
}

/** Task runs that ran and ended: the fan-out parent of `forEach` instances is a sum of its instances, not a task run of its own. */
const FINISHED_TASK = `t.status IN ('succeeded', 'failed', 'dead') AND t.instances_total IS NULL`;
/** An instance `name[3]` counts under its task's name. */
const TASK_NAME = `CASE WHEN t.parent_task_run_id IS NULL THEN t.name ELSE regexp_replace(t.name, '\\[\\d+\\]$', '') END`;
/**
 * A task run's namespace and workflow, looked up by the runs primary key. OFFSET 0 keeps the planner from
 * turning the lookup into a hash join, which reads every run (200,000 in a busy week) to join a few
 * thousand task runs.
 */
const RUN_OF_TASK = `(SELECT r.namespace, r.workflow_name FROM runs r WHERE r.id = t.run_id OFFSET 0) r`;
const MS = (interval: string) => `(extract(epoch FROM ${interval}) * 1000)::float8`;

/**
 * Parameters shared by every query: $1 since, $2 until, $3 namespaces (null: all), $4 workflow (null: all).
 * A run's namespace and workflow live on runs; task runs reach them through run_id.
 */
const scopeParameters = (scope: InsightsScope): unknown[] => [scope.since, scope.until, scope.namespaces ?? null, scope.workflow ?? null];
const RUN_SCOPE = (alias: string) =>
  `($3::text[] IS NULL OR ${alias}.namespace = ANY($3)) AND ($4::text IS NULL OR ${alias}.workflow_name = $4)`;

/** A run counts as started when created in the window, and by its outcome when it ended in the window. */
const CREATED = `r.created_at >= $1 AND r.created_at < $2`;
const ENDED = `r.finished_at >= $1 AND r.finished_at < $2 AND r.status IN ('succeeded', 'failed', 'cancelled', 'timed_out')`;

const toNumber = (value: unknown): number => Number(value ?? 0);
/** Milliseconds to the microsecond the timestamps hold: interpolation in float8 leaves 459.99999999999994 for 460. */
const toMs = (value: unknown): number => Math.round(Number(value) * 1_000) / 1_000;
const toNullableMs = (value: unknown): number | null => (value === null || value === undefined ? null : toMs(value));
const percentilesOf = (values: readonly unknown[] | null): Percentiles => ({
  p50: toNullableMs(values?.[0]),
  p95: toNullableMs(values?.[1]),
  p99: toNullableMs(values?.[2]),
});

/**
 * How workflows behaved over a window, straight from runs, task_runs and dead_letters: each query reads
 * one time range of one index (migration 9 adds those of task_runs.finished_at and dead_letters.dead_at)
 * and aggregates in PostgreSQL (percentile_cont, date_bin), so nothing but the answer crosses the wire.
 */
export class InsightsRepository {
  /**
   * Per workflow and, on the row whose namespace is null, over the whole scope: runs started (created) in the
   * window, runs that ended in it by outcome, and the percentiles of their duration (start to end; a run
   * never started, such as one cancelled while pending, counts from its creation).
   */
  async runOutcomes(db: Queryable, scope: InsightsScope): Promise<RunOutcomeRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT r.namespace, r.workflow_name AS workflow,
              count(*) FILTER (WHERE ${CREATED}) AS started,
              count(*) FILTER (WHERE ${ENDED} AND r.status = 'succeeded') AS succeeded,
              count(*) FILTER (WHERE ${ENDED} AND r.status = 'failed') AS failed,
              count(*) FILTER (WHERE ${ENDED} AND r.status = 'timed_out') AS timed_out,
              count(*) FILTER (WHERE ${ENDED} AND r.status = 'cancelled') AS cancelled,
              percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY ${MS('r.finished_at - COALESCE(r.started_at, r.created_at)')})
                FILTER (WHERE ${ENDED}) AS duration
         FROM runs r
        WHERE (${CREATED} OR ${ENDED}) AND ${RUN_SCOPE('r')}
        GROUP BY GROUPING SETS ((r.namespace, r.workflow_name), ())
        ORDER BY 1 NULLS FIRST, 2`,
      scopeParameters(scope),
    );
    return rows.map((row) => ({
      namespace: (row.namespace as string | null) ?? null,
      workflow: (row.workflow as string | null) ?? null,
      started: toNumber(row.started),
      succeeded: toNumber(row.succeeded),
      failed: toNumber(row.failed),
      timedOut: toNumber(row.timed_out),
      cancelled: toNumber(row.cancelled),
      durationMs: percentilesOf(row.duration as unknown[] | null),
    }));
  }

  /** Runs that ended, by outcome, in buckets of `bucketSeconds` aligned to the Unix epoch (empty buckets absent). */
  async runOutcomesOverTime(db: Queryable, scope: InsightsScope, bucketSeconds: number): Promise<RunOutcomeBucketRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT date_bin(make_interval(secs => $5), r.finished_at, timestamptz 'epoch') AS at,
              count(*) FILTER (WHERE r.status = 'succeeded') AS succeeded,
              count(*) FILTER (WHERE r.status = 'failed') AS failed,
              count(*) FILTER (WHERE r.status = 'timed_out') AS timed_out,
              count(*) FILTER (WHERE r.status = 'cancelled') AS cancelled
         FROM runs r
        WHERE r.finished_at >= $1 AND r.finished_at < $2 AND r.status IN ('succeeded', 'failed', 'cancelled', 'timed_out') AND ${RUN_SCOPE('r')}
        GROUP BY 1 ORDER BY 1`,
      [...scopeParameters(scope), bucketSeconds],
    );
    return rows.map((row) => ({
      at: row.at as Date,
      succeeded: toNumber(row.succeeded),
      failed: toNumber(row.failed),
      timedOut: toNumber(row.timed_out),
      cancelled: toNumber(row.cancelled),
    }));
  }

  /** The tasks (workflow, task name) with the highest p95 of their attempts' run time (start to end of the last attempt). */
  async slowestTasks(db: Queryable, scope: InsightsScope, limit: number): Promise<SlowTaskRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT * FROM (
         SELECT r.namespace, r.workflow_name AS workflow, ${TASK_NAME} AS task, t.type, count(*) AS count,
                percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY ${MS('t.finished_at - t.started_at')}) AS duration
           FROM task_runs t CROSS JOIN LATERAL ${RUN_OF_TASK}
          WHERE t.finished_at >= $1 AND t.finished_at < $2 AND ${FINISHED_TASK} AND t.started_at IS NOT NULL AND ${RUN_SCOPE('r')}
          GROUP BY 1, 2, 3, 4) tasks
        ORDER BY duration[2] DESC, namespace, workflow, task LIMIT $5`,
      [...scopeParameters(scope), limit],
    );
    return rows.map((row) => {
      const duration = row.duration as unknown[];
      return {
        namespace: row.namespace as string,
        workflow: row.workflow as string,
        task: row.task as string,
        type: row.type as string,
        count: toNumber(row.count),
        p50Ms: toMs(duration[0]),
        p95Ms: toMs(duration[1]),
      };
    });
  }

  /** The tasks with the most attempts beyond the first, over task runs that ended in the window. */
  async mostRetriedTasks(db: Queryable, scope: InsightsScope, limit: number): Promise<RetriedTaskRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT r.namespace, r.workflow_name AS workflow, ${TASK_NAME} AS task, t.type,
              sum(t.attempt - 1) AS retries, count(*) AS retried_runs
         FROM task_runs t CROSS JOIN LATERAL ${RUN_OF_TASK}
        WHERE t.finished_at >= $1 AND t.finished_at < $2 AND ${FINISHED_TASK} AND t.attempt > 1 AND ${RUN_SCOPE('r')}
        GROUP BY 1, 2, 3, 4
        ORDER BY retries DESC, 1, 2, 3 LIMIT $5`,
      [...scopeParameters(scope), limit],
    );
    return rows.map((row) => ({
      namespace: row.namespace as string,
      workflow: row.workflow as string,
      task: row.task as string,
      type: row.type as string,
      retries: toNumber(row.retries),
      retriedRuns: toNumber(row.retried_runs),
    }));
  }

  /** Task runs that ended, in buckets of `bucketSeconds` aligned to the Unix epoch (empty buckets absent). */
  async tasksFinishedOverTime(db: Queryable, scope: InsightsScope, bucketSeconds: number): Promise<CountBucketRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT date_bin(make_interval(secs => $5), t.finished_at, timestamptz 'epoch') AS at, count(*) AS count
         FROM task_runs t CROSS JOIN LATERAL ${RUN_OF_TASK}
        WHERE t.finished_at >= $1 AND t.finished_at < $2 AND ${FINISHED_TASK} AND ${RUN_SCOPE('r')}
        GROUP BY 1 ORDER BY 1`,
      [...scopeParameters(scope), bucketSeconds],
    );
    return rows.map((row) => ({ at: row.at as Date, count: toNumber(row.count) }));
  }

  /** Per task type: enqueue to start of the last attempt, over task runs that ended in the window. */
  async queueWaitByType(db: Queryable, scope: InsightsScope): Promise<QueueWaitRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT t.type, count(*) AS count,
              percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY ${MS('t.started_at - t.queued_at')}) AS wait
         FROM task_runs t CROSS JOIN LATERAL ${RUN_OF_TASK}
        WHERE t.finished_at >= $1 AND t.finished_at < $2 AND ${FINISHED_TASK}
          AND t.queued_at IS NOT NULL AND t.started_at >= t.queued_at AND ${RUN_SCOPE('r')}
        GROUP BY 1 ORDER BY 1`,
      scopeParameters(scope),
    );
    return rows.map((row) => {
      const wait = row.wait as unknown[];
      return { type: row.type as string, count: toNumber(row.count), p50Ms: toMs(wait[0]), p95Ms: toMs(wait[1]) };
    });
  }

  /** Tasks that became dead letters (whether requeued since or not), in buckets of `bucketSeconds` aligned to the Unix epoch. */
  async deadLettersOverTime(db: Queryable, scope: InsightsScope, bucketSeconds: number): Promise<CountBucketRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT date_bin(make_interval(secs => $5), d.dead_at, timestamptz 'epoch') AS at, count(*) AS count
         FROM dead_letters d
        WHERE d.dead_at >= $1 AND d.dead_at < $2 AND ${RUN_SCOPE('d')}
        GROUP BY 1 ORDER BY 1`,
      [...scopeParameters(scope), bucketSeconds],
    );
    return rows.map((row) => ({ at: row.at as Date, count: toNumber(row.count) }));
  }
}
