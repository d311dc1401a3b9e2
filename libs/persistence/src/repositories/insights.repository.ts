import { queryRows, type Queryable } from '../queryable';
import {
  FINISHED_TASK,
  IN_SCOPE,
  MS,
  percentilesOf,
  type Percentiles,
  readRow,
  RUN_DURATION_MS,
  RUN_OF_TASK,
  TASK_NAME,
  TERMINAL_RUN,
  toNumber,
} from './insights-sql';

export type { Percentiles } from './insights-sql';

/** What every insights query is about: finished or started in [since, until), in these namespaces, of this workflow. */
export interface InsightsScope {
  since: Date;
  until: Date;
  /** Undefined: every namespace (a token of all namespaces asking without a filter). */
  namespaces?: readonly string[];
  workflow?: string;
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

/** $1 since, $2 until, $3 namespaces (null: all), $4 workflow (null: all); a query's own parameters follow. */
const scopeParameters = (scope: InsightsScope): unknown[] => [scope.since, scope.until, scope.namespaces ?? null, scope.workflow ?? null];

/** A run counts as started when created in the window, and by its outcome when it ended in the window. */
const CREATED = `r.created_at >= $1 AND r.created_at < $2`;
const ENDED = `r.finished_at >= $1 AND r.finished_at < $2 AND ${TERMINAL_RUN}`;
/** Task runs that ended in the window, with their run's namespace and workflow as `r`. */
const TASKS_ENDED = `task_runs t CROSS JOIN LATERAL ${RUN_OF_TASK}
  WHERE t.finished_at >= $1 AND t.finished_at < $2 AND ${FINISHED_TASK} AND ${IN_SCOPE('r')}`;

/** A row of runOutcomes: counts by outcome, and the duration percentiles as computed beside them. */
export function readOutcomeRow(row: Record<string, unknown>, duration: readonly unknown[] | null | undefined): RunOutcomeRow {
  return {
    namespace: (row.namespace as string | null) ?? null,
    workflow: (row.workflow as string | null) ?? null,
    started: toNumber(row.started),
    succeeded: toNumber(row.succeeded),
    failed: toNumber(row.failed),
    timedOut: toNumber(row.timed_out),
    cancelled: toNumber(row.cancelled),
    durationMs: percentilesOf(duration),
  };
}

/**
 * How workflows behaved over a window, straight from runs, task_runs and dead_letters: each query reads
 * one time range of one index (migration 10 adds those of task_runs.finished_at and dead_letters.dead_at)
 * and aggregates in PostgreSQL (percentile_cont, date_bin), so nothing but the answer crosses the wire.
 */
export class InsightsRepository {
  /**
   * For the rest of the transaction, no parallel workers: every insights query reads a few thousand to a
   * few tens of thousands of rows, which one process does in milliseconds, while starting workers for a
   * Gather cost 50 to 100 ms on a busy 2-core machine (seen in EXPLAIN ANALYZE), more than the query.
   * The queries of one answer already run side by side, each on a connection of its own.
   */
  async serialPlans(tx: Queryable): Promise<void> {
    await tx.query(`SET LOCAL max_parallel_workers_per_gather = 0`);
  }

  /**
   * Per workflow and, on the row whose namespace is null, over the whole scope: runs started (created) in the
   * window, runs that ended in it by outcome, and the percentiles of their duration.
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
              percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY ${RUN_DURATION_MS}) FILTER (WHERE ${ENDED}) AS duration
         FROM runs r
        WHERE (${CREATED} OR ${ENDED}) AND ${IN_SCOPE('r')}
        GROUP BY GROUPING SETS ((r.namespace, r.workflow_name), ())
        ORDER BY 1 NULLS FIRST, 2`,
      scopeParameters(scope),
    );
    return rows.map((row) => readOutcomeRow(row, row.duration as unknown[] | null));
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
        WHERE ${ENDED} AND ${IN_SCOPE('r')}
        GROUP BY 1 ORDER BY 1`,
      [...scopeParameters(scope), bucketSeconds],
    );
    return rows.map(readRow.outcomeBucket);
  }

  /** The tasks (workflow, task name) with the highest p95 of their attempts' run time (start to end of the last attempt). */
  async slowestTasks(db: Queryable, scope: InsightsScope, limit: number): Promise<SlowTaskRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT * FROM (
         SELECT r.namespace, r.workflow_name AS workflow, ${TASK_NAME} AS task, t.type, count(*) AS count,
                percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY ${MS('t.finished_at - t.started_at')}) AS percentiles
           FROM ${TASKS_ENDED} AND t.started_at IS NOT NULL
          GROUP BY 1, 2, 3, 4) tasks
        ORDER BY percentiles[2] DESC, namespace, workflow, task LIMIT $5`,
      [...scopeParameters(scope), limit],
    );
    return rows.map(readRow.slowTask);
  }

  /** The tasks with the most attempts beyond the first, over task runs that ended in the window. */
  async mostRetriedTasks(db: Queryable, scope: InsightsScope, limit: number): Promise<RetriedTaskRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT r.namespace, r.workflow_name AS workflow, ${TASK_NAME} AS task, t.type,
              sum(t.attempt - 1) AS retries, count(*) AS retried_runs
         FROM ${TASKS_ENDED} AND t.attempt > 1
        GROUP BY 1, 2, 3, 4
        ORDER BY retries DESC, 1, 2, 3 LIMIT $5`,
      [...scopeParameters(scope), limit],
    );
    return rows.map(readRow.retriedTask);
  }

  /** Task runs that ended, in buckets of `bucketSeconds` aligned to the Unix epoch (empty buckets absent). */
  async tasksFinishedOverTime(db: Queryable, scope: InsightsScope, bucketSeconds: number): Promise<CountBucketRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT date_bin(make_interval(secs => $5), t.finished_at, timestamptz 'epoch') AS at, count(*) AS count
         FROM ${TASKS_ENDED}
        GROUP BY 1 ORDER BY 1`,
      [...scopeParameters(scope), bucketSeconds],
    );
    return rows.map(readRow.countBucket);
  }

  /** Per task type: enqueue to start of the last attempt, over task runs that ended in the window. */
  async queueWaitByType(db: Queryable, scope: InsightsScope): Promise<QueueWaitRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT t.type, count(*) AS count,
              percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY ${MS('t.started_at - t.queued_at')}) AS percentiles
         FROM ${TASKS_ENDED} AND t.queued_at IS NOT NULL AND t.started_at >= t.queued_at
        GROUP BY 1 ORDER BY 1`,
      scopeParameters(scope),
    );
    return rows.map(readRow.queueWait);
  }

  /** Tasks that became dead letters (whether requeued since or not), in buckets of `bucketSeconds` aligned to the Unix epoch. */
  async deadLettersOverTime(db: Queryable, scope: InsightsScope, bucketSeconds: number): Promise<CountBucketRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT date_bin(make_interval(secs => $5), d.dead_at, timestamptz 'epoch') AS at, count(*) AS count
         FROM dead_letters d
        WHERE d.dead_at >= $1 AND d.dead_at < $2 AND ${IN_SCOPE('d')}
        GROUP BY 1 ORDER BY 1`,
      [...scopeParameters(scope), bucketSeconds],
    );
    return rows.map(readRow.countBucket);
  }
}
