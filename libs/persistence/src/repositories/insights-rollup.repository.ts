import { queryRows, type Queryable } from '../queryable';
import type {
  CountBucketRow,
  InsightsScope,
  QueueWaitRow,
  RetriedTaskRow,
  RunOutcomeBucketRow,
  RunOutcomeRow,
  SlowTaskRow,
} from './insights.repository';

const HOUR = `interval '1 hour'`;
const EPOCH = `timestamptz 'epoch'`;
/**
 * A task run's namespace and workflow, looked up by the runs primary key. OFFSET 0 keeps the planner from
 * turning the lookup into a hash join, which reads every run (200,000 in a busy week) to join a few
 * thousand task runs.
 */
const RUN_OF_TASK = `(SELECT r.namespace, r.workflow_name FROM runs r WHERE r.id = t.run_id OFFSET 0) r`;
const MS = (interval: string) => `(extract(epoch FROM ${interval}) * 1000)::float8`;
const TASK_NAME = `CASE WHEN t.parent_task_run_id IS NULL THEN t.name ELSE regexp_replace(t.name, '\\[\\d+\\]$', '') END`;
const FINISHED_TASK = `t.status IN ('succeeded', 'failed', 'dead') AND t.instances_total IS NULL`;
const TERMINAL_RUN = `r.status IN ('succeeded', 'failed', 'cancelled', 'timed_out')`;

/*
 * Reads: $1 since (on the hour), $2 until, $3 namespaces (null: all), $4 workflow (null: all), $5 the end of the
 * rolled-up hours read (hours [$1, $5) come from the rollups, [$5, $2) from runs and task_runs as they are).
 */
const SCOPE = (alias: string) =>
  `($3::text[] IS NULL OR ${alias}.namespace = ANY($3)) AND ($4::text IS NULL OR ${alias}.workflow_name = $4)`;
const ROLLED = (alias: string) => `${alias}.hour >= $1 AND ${alias}.hour < $5 AND ${SCOPE(alias)}`;
const LIVE = (column: string) => `${column} >= $5 AND ${column} < $2`;

/** Runs that ended (by hour) and were created (by hour) in [from, to): the rows of insights_run_hours. */
const RUN_COUNTS = (created: string, ended: string, scope: string) => `
  SELECT date_bin(${HOUR}, r.created_at, ${EPOCH}) AS hour, r.namespace, r.workflow_name, 1 AS started,
         0 AS succeeded, 0 AS failed, 0 AS timed_out, 0 AS cancelled
    FROM runs r WHERE ${created} AND ${scope}
  UNION ALL
  SELECT date_bin(${HOUR}, r.finished_at, ${EPOCH}), r.namespace, r.workflow_name, 0,
         (r.status = 'succeeded')::int, (r.status = 'failed')::int, (r.status = 'timed_out')::int, (r.status = 'cancelled')::int
    FROM runs r WHERE ${ended} AND ${TERMINAL_RUN} AND ${scope}`;

/** Task runs that ended in [from, to), with their run's namespace and workflow. */
const TASKS = (ended: string, scope: string) => `
  SELECT date_bin(${HOUR}, t.finished_at, ${EPOCH}) AS hour, r.namespace, r.workflow_name, ${TASK_NAME} AS task, t.type,
         t.attempt, t.queued_at, t.started_at, t.finished_at
    FROM task_runs t CROSS JOIN LATERAL ${RUN_OF_TASK}
   WHERE ${ended} AND ${FINISHED_TASK} AND ${scope}`;

/** Histogram rows (hour, namespace, workflow_name, measure, task, type, value_ms) of what ended in [from, to). */
const HISTOGRAM_SAMPLES = (runEnded: string, taskEnded: string, scope: string) => `
  SELECT date_bin(${HOUR}, r.finished_at, ${EPOCH}) AS hour, r.namespace, r.workflow_name, 'run' AS measure, '' AS task, '' AS type,
         flowctl_two_digits(${MS('r.finished_at - COALESCE(r.started_at, r.created_at)')}) AS value_ms
    FROM runs r WHERE ${runEnded} AND ${TERMINAL_RUN} AND ${scope}
  UNION ALL
  SELECT t.hour, t.namespace, t.workflow_name, 'task', t.task, t.type, flowctl_two_digits(${MS('t.finished_at - t.started_at')})
    FROM (${TASKS(taskEnded, scope)}) t WHERE t.started_at IS NOT NULL
  UNION ALL
  SELECT t.hour, t.namespace, t.workflow_name, 'wait', '', t.type, flowctl_two_digits(${MS('t.started_at - t.queued_at')})
    FROM (${TASKS(taskEnded, scope)}) t WHERE t.queued_at IS NOT NULL AND t.started_at >= t.queued_at`;

/**
 * percentile_cont over a histogram: `source` yields key columns, value_ms and count. The value at 0-based
 * position i is the smallest value whose running count passes i; between two positions, linear, as
 * percentile_cont interpolates between rows.
 */
function weightedPercentiles(source: string, keys: readonly string[], fractions: readonly number[]): string {
  const keyList = keys.join(', ');
  const at = (position: string) => `min(value_ms) FILTER (WHERE upto > ${position})`;
  const percentiles = fractions.map((p) => {
    const position = `(${p} * (total - 1))`;
    return `${at(`floor(${position})`)} + (${at(`ceil(${position})`)} - ${at(`floor(${position})`)}) * (${position} - floor(${position}))`;
  });
  return `
    SELECT ${keyList}, total, ARRAY[${percentiles.join(', ')}] AS percentiles FROM (
      SELECT ${keyList}, value_ms, sum(count) OVER (PARTITION BY ${keyList} ORDER BY value_ms) AS upto, sum(count) OVER (PARTITION BY ${keyList}) AS total
        FROM (SELECT ${keyList}, value_ms, sum(count) AS count FROM (${source}) s GROUP BY ${keyList}, value_ms) v
    ) c GROUP BY ${keyList}, total`;
}

const toNumber = (value: unknown): number => Number(value ?? 0);
const toMs = (value: unknown): number => Math.round(Number(value) * 1_000) / 1_000;
const toNullableMs = (value: unknown): number | null => (value === null || value === undefined ? null : toMs(value));

/**
 * The hourly rollups of migration 10: written hour by hour by the leader (rollUp), read for windows of
 * whole hours together with the hours not rolled up yet, straight from runs and task_runs.
 */
export class InsightsRollupRepository {
  async rolledUntil(db: Queryable): Promise<Date | null> {
    const [row] = await queryRows<{ rolledUntil: Date | null }>(db, `SELECT rolled_until AS "rolledUntil" FROM insights_rollup_state`);
    return row?.rolledUntil ?? null;
  }

  /** The hour of the oldest run: where a first rollup starts. */
  async firstHour(db: Queryable): Promise<Date | null> {
    const [row] = await queryRows<{ hour: Date | null }>(
      db,
      `SELECT date_bin(${HOUR}, (SELECT created_at FROM runs ORDER BY created_at LIMIT 1), ${EPOCH}) AS hour`,
    );
    return row?.hour ?? null;
  }

  /**
   * Rewrites the rollups of the hours [from, to) from runs and task_runs, and moves rolled_until to `to`
   * (never back). Run in one transaction: a reader sees the hours before or after, never half of them.
   */
  async rollUp(tx: Queryable, from: Date, to: Date): Promise<void> {
    const all = 'true';
    const ended = (column: string) => `${column} >= $1 AND ${column} < $2`;
    // Two leaders for a moment (a lease handed over) take turns rather than write the same hours at once.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('flowctl_insights_rollup'))`);
    // The hours rewritten, and those older than the longest window GET /insights answers (90 days).
    for (const table of ['insights_run_hours', 'insights_task_hours', 'insights_histograms'])
      await tx.query(`DELETE FROM ${table} WHERE (hour >= $1 AND hour < $2) OR hour < $2::timestamptz - interval '91 days'`, [from, to]);
    await tx.query(
      `INSERT INTO insights_run_hours (hour, namespace, workflow_name, started, succeeded, failed, timed_out, cancelled)
       SELECT hour, namespace, workflow_name, sum(started), sum(succeeded), sum(failed), sum(timed_out), sum(cancelled)
         FROM (${RUN_COUNTS(ended('r.created_at'), ended('r.finished_at'), all)}) c GROUP BY 1, 2, 3`,
      [from, to],
    );
    await tx.query(
      `INSERT INTO insights_task_hours (hour, namespace, workflow_name, task, type, finished, retries, retried_runs)
       SELECT hour, namespace, workflow_name, task, type, count(*), sum(GREATEST(attempt - 1, 0)), count(*) FILTER (WHERE attempt > 1)
         FROM (${TASKS(ended('t.finished_at'), all)}) t GROUP BY 1, 2, 3, 4, 5`,
      [from, to],
    );
    await tx.query(
      `INSERT INTO insights_histograms (hour, namespace, workflow_name, measure, task, type, value_ms, count)
       SELECT hour, namespace, workflow_name, measure, task, type, value_ms, count(*)
         FROM (${HISTOGRAM_SAMPLES(ended('r.finished_at'), ended('t.finished_at'), all)}) s GROUP BY 1, 2, 3, 4, 5, 6, 7`,
      [from, to],
    );
    await tx.query(`UPDATE insights_rollup_state SET rolled_until = GREATEST(COALESCE(rolled_until, $1), $1)`, [to]);
  }

  private parameters(scope: InsightsScope, rolledTo: Date): unknown[] {
    return [scope.since, scope.until, scope.namespaces ?? null, scope.workflow ?? null, rolledTo];
  }

  /** As InsightsRepository.runOutcomes, over whole hours: per workflow, and the total on the row whose namespace is null. */
  async runOutcomes(db: Queryable, scope: InsightsScope, rolledTo: Date): Promise<RunOutcomeRow[]> {
    const parameters = this.parameters(scope, rolledTo);
    const counts = await queryRows<Record<string, unknown>>(
      db,
      `SELECT namespace, workflow_name AS workflow, sum(started) AS started, sum(succeeded) AS succeeded, sum(failed) AS failed,
              sum(timed_out) AS timed_out, sum(cancelled) AS cancelled
         FROM (SELECT h.namespace, h.workflow_name, h.started, h.succeeded, h.failed, h.timed_out, h.cancelled
                 FROM insights_run_hours h WHERE ${ROLLED('h')}
               UNION ALL
               SELECT namespace, workflow_name, started, succeeded, failed, timed_out, cancelled
                 FROM (${RUN_COUNTS(LIVE('r.created_at'), LIVE('r.finished_at'), SCOPE('r'))}) live) c
        GROUP BY GROUPING SETS ((namespace, workflow_name), ())
        ORDER BY 1 NULLS FIRST, 2`,
      parameters,
    );
    const samples = `
      SELECT h.namespace, h.workflow_name, h.value_ms, h.count FROM insights_histograms h WHERE h.measure = 'run' AND ${ROLLED('h')}
      UNION ALL
      SELECT namespace, workflow_name, value_ms, 1 FROM (${HISTOGRAM_SAMPLES(LIVE('r.finished_at'), 'false', SCOPE('r'))}) live
       WHERE measure = 'run'`;
    const durations = await queryRows<{ namespace: string | null; workflow_name: string | null; percentiles: unknown[] }>(
      db,
      weightedPercentiles(
        `SELECT namespace, workflow_name, value_ms, count FROM (${samples}) a
         UNION ALL SELECT NULL, NULL, value_ms, count FROM (${samples}) b`,
        ['namespace', 'workflow_name'],
        [0.5, 0.95, 0.99],
      ),
      parameters,
    );
    const key = (namespace: unknown, workflow: unknown) => `${String(namespace)}/${String(workflow)}`;
    const byKey = new Map(durations.map((row) => [key(row.namespace, row.workflow_name), row.percentiles]));
    return counts.map((row) => {
      const percentiles = byKey.get(key(row.namespace, row.workflow));
      return {
        namespace: (row.namespace as string | null) ?? null,
        workflow: (row.workflow as string | null) ?? null,
        started: toNumber(row.started),
        succeeded: toNumber(row.succeeded),
        failed: toNumber(row.failed),
        timedOut: toNumber(row.timed_out),
        cancelled: toNumber(row.cancelled),
        durationMs: { p50: toNullableMs(percentiles?.[0]), p95: toNullableMs(percentiles?.[1]), p99: toNullableMs(percentiles?.[2]) },
      };
    });
  }

  async runOutcomesOverTime(db: Queryable, scope: InsightsScope, rolledTo: Date, bucketSeconds: number): Promise<RunOutcomeBucketRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT date_bin(make_interval(secs => $6), hour, ${EPOCH}) AS at, sum(succeeded) AS succeeded, sum(failed) AS failed,
              sum(timed_out) AS timed_out, sum(cancelled) AS cancelled
         FROM (SELECT h.hour, h.succeeded, h.failed, h.timed_out, h.cancelled FROM insights_run_hours h WHERE ${ROLLED('h')}
               UNION ALL
               SELECT hour, succeeded, failed, timed_out, cancelled FROM (${RUN_COUNTS('false', LIVE('r.finished_at'), SCOPE('r'))}) live) c
        GROUP BY 1 ORDER BY 1`,
      [...this.parameters(scope, rolledTo), bucketSeconds],
    );
    return rows.map((row) => ({
      at: row.at as Date,
      succeeded: toNumber(row.succeeded),
      failed: toNumber(row.failed),
      timedOut: toNumber(row.timed_out),
      cancelled: toNumber(row.cancelled),
    }));
  }

  async slowestTasks(db: Queryable, scope: InsightsScope, rolledTo: Date, limit: number): Promise<SlowTaskRow[]> {
    const samples = `
      SELECT h.namespace, h.workflow_name, h.task, h.type, h.value_ms, h.count FROM insights_histograms h WHERE h.measure = 'task' AND ${ROLLED('h')}
      UNION ALL
      SELECT namespace, workflow_name, task, type, value_ms, 1 FROM (${HISTOGRAM_SAMPLES('false', LIVE('t.finished_at'), SCOPE('r'))}) live
       WHERE measure = 'task'`;
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT * FROM (${weightedPercentiles(samples, ['namespace', 'workflow_name', 'task', 'type'], [0.5, 0.95])}) p
        ORDER BY percentiles[2] DESC, namespace, workflow_name, task LIMIT $6`,
      [...this.parameters(scope, rolledTo), limit],
    );
    return rows.map((row) => {
      const percentiles = row.percentiles as unknown[];
      return {
        namespace: row.namespace as string,
        workflow: row.workflow_name as string,
        task: row.task as string,
        type: row.type as string,
        count: toNumber(row.total),
        p50Ms: toMs(percentiles[0]),
        p95Ms: toMs(percentiles[1]),
      };
    });
  }

  async mostRetriedTasks(db: Queryable, scope: InsightsScope, rolledTo: Date, limit: number): Promise<RetriedTaskRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT namespace, workflow_name AS workflow, task, type, sum(retries) AS retries, sum(retried_runs) AS retried_runs
         FROM (SELECT h.namespace, h.workflow_name, h.task, h.type, h.retries, h.retried_runs FROM insights_task_hours h
                WHERE ${ROLLED('h')} AND h.retries > 0
               UNION ALL
               SELECT namespace, workflow_name, task, type, attempt - 1, 1 FROM (${TASKS(LIVE('t.finished_at'), SCOPE('r'))}) live
                WHERE attempt > 1) c
        GROUP BY 1, 2, 3, 4 ORDER BY retries DESC, 1, 2, 3 LIMIT $6`,
      [...this.parameters(scope, rolledTo), limit],
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

  async tasksFinishedOverTime(db: Queryable, scope: InsightsScope, rolledTo: Date, bucketSeconds: number): Promise<CountBucketRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT date_bin(make_interval(secs => $6), hour, ${EPOCH}) AS at, sum(finished) AS count
         FROM (SELECT h.hour, h.finished FROM insights_task_hours h WHERE ${ROLLED('h')}
               UNION ALL
               SELECT hour, 1 FROM (${TASKS(LIVE('t.finished_at'), SCOPE('r'))}) live) c
        GROUP BY 1 ORDER BY 1`,
      [...this.parameters(scope, rolledTo), bucketSeconds],
    );
    return rows.map((row) => ({ at: row.at as Date, count: toNumber(row.count) }));
  }

  async queueWaitByType(db: Queryable, scope: InsightsScope, rolledTo: Date): Promise<QueueWaitRow[]> {
    const samples = `
      SELECT h.type, h.value_ms, h.count FROM insights_histograms h WHERE h.measure = 'wait' AND ${ROLLED('h')}
      UNION ALL
      SELECT type, value_ms, 1 FROM (${HISTOGRAM_SAMPLES('false', LIVE('t.finished_at'), SCOPE('r'))}) live WHERE measure = 'wait'`;
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT * FROM (${weightedPercentiles(samples, ['type'], [0.5, 0.95])}) p ORDER BY type`,
      this.parameters(scope, rolledTo),
    );
    return rows.map((row) => {
      const percentiles = row.percentiles as unknown[];
      return { type: row.type as string, count: toNumber(row.total), p50Ms: toMs(percentiles[0]), p95Ms: toMs(percentiles[1]) };
    });
  }
}
