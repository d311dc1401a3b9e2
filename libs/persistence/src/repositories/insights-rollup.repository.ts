import { queryRows, type Queryable } from '../queryable';
import {
  type CountBucketRow,
  type InsightsScope,
  type QueueWaitRow,
  readOutcomeRow,
  type RetriedTaskRow,
  type RunOutcomeBucketRow,
  type RunOutcomeRow,
  type SlowTaskRow,
} from './insights.repository';
import { FINISHED_TASK, IN_SCOPE, MS, readRow, RUN_DURATION_MS, RUN_OF_TASK, TASK_NAME, TERMINAL_RUN } from './insights-sql';

const HOUR = `interval '1 hour'`;
const DAY = `interval '1 day'`;
const EPOCH = `timestamptz 'epoch'`;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/*
 * Reads: $1 since (on the hour), $2 until, $3 namespaces (null: all), $4 workflow (null: all), $5 the end of
 * the rolled-up time read (hours [$1, $5) come from the rollups, [$5, $2) from runs and task_runs as they
 * are); a query's own parameter follows as $6. Queries of a histogram have two more first: $6 and $7 the
 * whole days within [$1, $5), whose histograms come from the daily rows (none: $6 = $7), and their own at $8.
 */
const ROLLED = (alias: string) => `${alias}.hour >= $1 AND ${alias}.hour < $5 AND ${IN_SCOPE(alias)}`;
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

type Measure = 'run' | 'task' | 'wait';

/** The samples of one measure that ended in [from, to), as histogram rows (hour, namespace, workflow_name, task, type, value_ms). */
function measureSamples(measure: Measure, ended: (column: string) => string, scope: string): string {
  const value = (interval: string) => `flowctl_two_digits(${interval}) AS value_ms`;
  if (measure === 'run')
    return `SELECT date_bin(${HOUR}, r.finished_at, ${EPOCH}) AS hour, r.namespace, r.workflow_name, '' AS task, '' AS type, ${value(RUN_DURATION_MS)}
              FROM runs r WHERE ${ended('r.finished_at')} AND ${TERMINAL_RUN} AND ${scope}`;
  if (measure === 'task')
    return `SELECT t.hour, t.namespace, t.workflow_name, t.task, t.type, ${value(MS('t.finished_at - t.started_at'))}
              FROM (${TASKS(ended('t.finished_at'), scope)}) t WHERE t.started_at IS NOT NULL`;
  return `SELECT t.hour, t.namespace, t.workflow_name, '' AS task, t.type, ${value(MS('t.started_at - t.queued_at'))}
            FROM (${TASKS(ended('t.finished_at'), scope)}) t WHERE t.queued_at IS NOT NULL AND t.started_at >= t.queued_at`;
}

/**
 * One measure's histogram over the window, as rows of `keys`, value_ms and count: whole days from the daily
 * rows, the other rolled-up hours from the hourly ones, and what is newer than the rollups from the tables.
 */
function histogram(measure: Measure, keys: readonly string[]): string {
  const of = (alias: string) => [...keys.map((key) => `${alias}.${key}`), `${alias}.value_ms`, `${alias}.count`].join(', ');
  const hours = (from: string, to: string) =>
    `SELECT ${of('h')} FROM insights_histograms h WHERE h.measure = '${measure}' AND h.hour >= ${from} AND h.hour < ${to} AND ${IN_SCOPE('h')}`;
  return `
    SELECT ${of('d')} FROM insights_histogram_days d WHERE d.measure = '${measure}' AND d.day >= $6 AND d.day < $7 AND ${IN_SCOPE('d')}
    UNION ALL ${hours('$1', '$6')}
    UNION ALL ${hours('$7', '$5')}
    UNION ALL SELECT ${keys.map((key) => `s.${key}`).join(', ')}, s.value_ms, 1 FROM (${measureSamples(measure, LIVE, IN_SCOPE('r'))}) s`;
}

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
    SELECT ${keyList}, total AS count, ARRAY[${percentiles.join(', ')}] AS percentiles FROM (
      SELECT ${keyList}, value_ms, sum(count) OVER (PARTITION BY ${keyList} ORDER BY value_ms) AS upto, sum(count) OVER (PARTITION BY ${keyList}) AS total
        FROM (SELECT ${keyList}, value_ms, sum(count) AS count FROM (${source}) s GROUP BY ${keyList}, value_ms) v
    ) c GROUP BY ${keyList}, total`;
}

/** The whole days within [since, rolledTo), or an empty range (both rolledTo) when there is none. */
function wholeDays(since: Date, rolledTo: Date): [Date, Date] {
  const from = Math.ceil(since.getTime() / DAY_MS) * DAY_MS;
  const to = Math.floor(rolledTo.getTime() / DAY_MS) * DAY_MS;
  return from < to ? [new Date(from), new Date(to)] : [rolledTo, rolledTo];
}

/**
 * The rollups of migrations 11 and 15: counts and histograms per hour, and the histograms again per day
 * (a week's percentiles then merge a few thousand rows, not a hundred thousand). Written by the leader
 * (rollUp), read for windows of whole hours together with what is newer than the rollups, straight from
 * runs and task_runs.
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
   * Rewrites the rollups of [from, to) from runs and task_runs (`from` on the hour; `to` need not be: the
   * rows of its hour then hold what ended before it), the daily histograms of the days those hours are in,
   * and moves rolled_until to `to` (never back). Run in one transaction: a reader sees the rollups before
   * or after, never half of them.
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
    const measures: Measure[] = ['run', 'task', 'wait'];
    await tx.query(
      `INSERT INTO insights_histograms (hour, namespace, workflow_name, measure, task, type, value_ms, count)
       ${measures
         .map(
           (measure) =>
             `SELECT hour, namespace, workflow_name, '${measure}', task, type, value_ms, count(*) FROM (${measureSamples(measure, ended, all)}) s GROUP BY 1, 2, 3, 5, 6, 7`,
         )
         .join(' UNION ALL ')}`,
      [from, to],
    );
    // Each day the pass touched, summed again from its hours (those before `from` included); and the days
    // whose every hour is past the 91 days kept.
    await tx.query(
      `DELETE FROM insights_histogram_days
        WHERE (day >= date_bin(${DAY}, $1::timestamptz, ${EPOCH}) AND day < $2) OR day < $2::timestamptz - interval '92 days'`,
      [from, to],
    );
    await tx.query(
      `INSERT INTO insights_histogram_days (day, namespace, workflow_name, measure, task, type, value_ms, count)
       SELECT date_bin(${DAY}, hour, ${EPOCH}), namespace, workflow_name, measure, task, type, value_ms, sum(count)
         FROM insights_histograms
        WHERE hour >= date_bin(${DAY}, $1::timestamptz, ${EPOCH}) AND date_bin(${DAY}, hour, ${EPOCH}) < $2
        GROUP BY 1, 2, 3, 4, 5, 6, 7`,
      [from, to],
    );
    await tx.query(`UPDATE insights_rollup_state SET rolled_until = GREATEST(COALESCE(rolled_until, $1), $1)`, [to]);
  }

  /**
   * Where the rollups end for a window: rolled_until, or, for a window that ends before it, the window's
   * last hour (every hour before rolled_until's own is complete; the row of that hour may hold only its
   * first minutes). Never before `since`.
   */
  rolledTo(scope: InsightsScope, rolledUntil: Date | null): Date {
    const until = scope.until.getTime();
    const rolled = rolledUntil?.getTime() ?? 0;
    const end = rolled <= until ? rolled : Math.floor(until / HOUR_MS) * HOUR_MS;
    return new Date(Math.max(scope.since.getTime(), end));
  }

  private parameters(scope: InsightsScope, rolledTo: Date): unknown[] {
    return [scope.since, scope.until, scope.namespaces ?? null, scope.workflow ?? null, rolledTo];
  }

  private histogramParameters(scope: InsightsScope, rolledTo: Date): unknown[] {
    return [...this.parameters(scope, rolledTo), ...wholeDays(scope.since, rolledTo)];
  }

  /** As InsightsRepository.runOutcomes, over whole hours: per workflow, and the total on the row whose namespace is null. */
  async runOutcomes(db: Queryable, scope: InsightsScope, rolledTo: Date): Promise<RunOutcomeRow[]> {
    const [counts, durations] = await Promise.all([
      queryRows<Record<string, unknown>>(
        db,
        `SELECT namespace, workflow_name AS workflow, sum(started) AS started, sum(succeeded) AS succeeded, sum(failed) AS failed,
                sum(timed_out) AS timed_out, sum(cancelled) AS cancelled
           FROM (SELECT h.namespace, h.workflow_name, h.started, h.succeeded, h.failed, h.timed_out, h.cancelled
                   FROM insights_run_hours h WHERE ${ROLLED('h')}
                 UNION ALL
                 SELECT namespace, workflow_name, started, succeeded, failed, timed_out, cancelled
                   FROM (${RUN_COUNTS(LIVE('r.created_at'), LIVE('r.finished_at'), IN_SCOPE('r'))}) live) c
          GROUP BY GROUPING SETS ((namespace, workflow_name), ())
          ORDER BY 1 NULLS FIRST, 2`,
        this.parameters(scope, rolledTo),
      ),
      queryRows<{ namespace: string | null; workflow_name: string | null; percentiles: unknown[] }>(
        db,
        // Materialized: the samples are read once for the per-workflow rows and the total.
        `WITH samples AS MATERIALIZED (${histogram('run', ['namespace', 'workflow_name'])})
         ${weightedPercentiles(
           `SELECT namespace, workflow_name, value_ms, count FROM samples UNION ALL SELECT NULL, NULL, value_ms, count FROM samples`,
           ['namespace', 'workflow_name'],
           [0.5, 0.95, 0.99],
         )}`,
        this.histogramParameters(scope, rolledTo),
      ),
    ]);
    const key = (namespace: unknown, workflow: unknown) => `${String(namespace)}/${String(workflow)}`;
    const byKey = new Map(durations.map((row) => [key(row.namespace, row.workflow_name), row.percentiles]));
    return counts.map((row) => readOutcomeRow(row, byKey.get(key(row.namespace, row.workflow))));
  }

  async runOutcomesOverTime(db: Queryable, scope: InsightsScope, rolledTo: Date, bucketSeconds: number): Promise<RunOutcomeBucketRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT date_bin(make_interval(secs => $6), hour, ${EPOCH}) AS at, sum(succeeded) AS succeeded, sum(failed) AS failed,
              sum(timed_out) AS timed_out, sum(cancelled) AS cancelled
         FROM (SELECT h.hour, h.succeeded, h.failed, h.timed_out, h.cancelled FROM insights_run_hours h WHERE ${ROLLED('h')}
               UNION ALL
               SELECT hour, succeeded, failed, timed_out, cancelled FROM (${RUN_COUNTS('false', LIVE('r.finished_at'), IN_SCOPE('r'))}) live) c
        GROUP BY 1 ORDER BY 1`,
      [...this.parameters(scope, rolledTo), bucketSeconds],
    );
    return rows.map(readRow.outcomeBucket);
  }

  async slowestTasks(db: Queryable, scope: InsightsScope, rolledTo: Date, limit: number): Promise<SlowTaskRow[]> {
    const keys = ['namespace', 'workflow_name', 'task', 'type'];
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT namespace, workflow_name AS workflow, task, type, count, percentiles
         FROM (${weightedPercentiles(histogram('task', keys), keys, [0.5, 0.95])}) p
        ORDER BY percentiles[2] DESC, namespace, workflow_name, task LIMIT $8`,
      [...this.histogramParameters(scope, rolledTo), limit],
    );
    return rows.map(readRow.slowTask);
  }

  async mostRetriedTasks(db: Queryable, scope: InsightsScope, rolledTo: Date, limit: number): Promise<RetriedTaskRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT namespace, workflow_name AS workflow, task, type, sum(retries) AS retries, sum(retried_runs) AS retried_runs
         FROM (SELECT h.namespace, h.workflow_name, h.task, h.type, h.retries, h.retried_runs FROM insights_task_hours h
                WHERE ${ROLLED('h')} AND h.retries > 0
               UNION ALL
               SELECT namespace, workflow_name, task, type, attempt - 1, 1 FROM (${TASKS(LIVE('t.finished_at'), IN_SCOPE('r'))}) live
                WHERE attempt > 1) c
        GROUP BY 1, 2, 3, 4 ORDER BY retries DESC, 1, 2, 3 LIMIT $6`,
      [...this.parameters(scope, rolledTo), limit],
    );
    return rows.map(readRow.retriedTask);
  }

  async tasksFinishedOverTime(db: Queryable, scope: InsightsScope, rolledTo: Date, bucketSeconds: number): Promise<CountBucketRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT date_bin(make_interval(secs => $6), hour, ${EPOCH}) AS at, sum(finished) AS count
         FROM (SELECT h.hour, h.finished FROM insights_task_hours h WHERE ${ROLLED('h')}
               UNION ALL
               SELECT hour, 1 FROM (${TASKS(LIVE('t.finished_at'), IN_SCOPE('r'))}) live) c
        GROUP BY 1 ORDER BY 1`,
      [...this.parameters(scope, rolledTo), bucketSeconds],
    );
    return rows.map(readRow.countBucket);
  }

  async queueWaitByType(db: Queryable, scope: InsightsScope, rolledTo: Date): Promise<QueueWaitRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      `SELECT * FROM (${weightedPercentiles(histogram('wait', ['type']), ['type'], [0.5, 0.95])}) p ORDER BY type`,
      this.histogramParameters(scope, rolledTo),
    );
    return rows.map(readRow.queueWait);
  }
}
