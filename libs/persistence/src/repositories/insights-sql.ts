/** A duration's percentiles in milliseconds; null where nothing was measured. */
export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/**
 * SQL pieces and row readers both insights repositories use: the one from the tables (windows up to 6
 * hours) and the one from the rollups (longer windows), so a task run, a finished run and a duration
 * mean the same thing in both.
 */

/** Task runs that ran and ended: the fan-out parent of `forEach` instances is a sum of its instances, not a task run of its own. */
export const FINISHED_TASK = `t.status IN ('succeeded', 'failed', 'dead') AND t.instances_total IS NULL`;
/** Runs that ended, whatever the outcome. */
export const TERMINAL_RUN = `r.status IN ('succeeded', 'failed', 'cancelled', 'timed_out')`;
/** An instance `name[3]` counts under its task's name. */
export const TASK_NAME = `CASE WHEN t.parent_task_run_id IS NULL THEN t.name ELSE regexp_replace(t.name, '\\[\\d+\\]$', '') END`;
/**
 * A task run's namespace and workflow, looked up by the runs primary key. OFFSET 0 keeps the planner from
 * turning the lookup into a hash join, which reads every run (200,000 in a busy week) to join a few
 * thousand task runs.
 */
export const RUN_OF_TASK = `(SELECT r.namespace, r.workflow_name FROM runs r WHERE r.id = t.run_id OFFSET 0) r`;
/** An interval in milliseconds, as float8. */
export const MS = (interval: string) => `(extract(epoch FROM ${interval}) * 1000)::float8`;
/** A run's duration: start to end; a run never started (cancelled while pending) counts from its creation. */
export const RUN_DURATION_MS = MS('r.finished_at - COALESCE(r.started_at, r.created_at)');
/** $3 namespaces (null: all) and $4 workflow (null: all), in every insights query. */
export const IN_SCOPE = (alias: string) =>
  `($3::text[] IS NULL OR ${alias}.namespace = ANY($3)) AND ($4::text IS NULL OR ${alias}.workflow_name = $4)`;

export const toNumber = (value: unknown): number => Number(value ?? 0);
/** Milliseconds to the microsecond the timestamps hold: interpolation in float8 leaves 459.99999999999994 for 460. */
export const toMs = (value: unknown): number => Math.round(Number(value) * 1_000) / 1_000;
export const toNullableMs = (value: unknown): number | null => (value === null || value === undefined ? null : toMs(value));
export const percentilesOf = (values: readonly unknown[] | null | undefined): Percentiles => ({
  p50: toNullableMs(values?.[0]),
  p95: toNullableMs(values?.[1]),
  p99: toNullableMs(values?.[2]),
});

/** The row readers shared by both repositories: the same columns come back from either. */
export const readRow = {
  outcomeBucket: (row: Record<string, unknown>) => ({
    at: row.at as Date,
    succeeded: toNumber(row.succeeded),
    failed: toNumber(row.failed),
    timedOut: toNumber(row.timed_out),
    cancelled: toNumber(row.cancelled),
  }),
  retriedTask: (row: Record<string, unknown>) => ({
    namespace: row.namespace as string,
    workflow: row.workflow as string,
    task: row.task as string,
    type: row.type as string,
    retries: toNumber(row.retries),
    retriedRuns: toNumber(row.retried_runs),
  }),
  /** `percentiles` holds p50 and p95 in that order. */
  slowTask: (row: Record<string, unknown>) => {
    const percentiles = row.percentiles as unknown[];
    return {
      namespace: row.namespace as string,
      workflow: row.workflow as string,
      task: row.task as string,
      type: row.type as string,
      count: toNumber(row.count),
      p50Ms: toMs(percentiles[0]),
      p95Ms: toMs(percentiles[1]),
    };
  },
  queueWait: (row: Record<string, unknown>) => {
    const percentiles = row.percentiles as unknown[];
    return { type: row.type as string, count: toNumber(row.count), p50Ms: toMs(percentiles[0]), p95Ms: toMs(percentiles[1]) };
  },
  countBucket: (row: Record<string, unknown>) => ({ at: row.at as Date, count: toNumber(row.count) }),
};
