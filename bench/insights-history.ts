import { Client } from 'pg';
import { InsightsRollupRepository } from '@flowctl/persistence';
import { nextRollupPass } from '../apps/scheduler/src/duties/timers/insights-rollup-pass';

/** Workflows of the history, `bench-insights-0` ...; the bench applies them before the history is written. */
export const INSIGHTS_WORKFLOWS = 8;
export const TASKS_PER_RUN = 5;
const TYPES = ['noop', 'http', 'shell', 'sleep'];

/**
 * Seven days of finished runs, written straight into the database with generate_series (about a minute for
 * 1,000,000 task runs, against hours through the engine): five tasks a run, of four types; 90% of runs
 * succeed, 6% fail (their last task dead, with a dead letter), 2% time out, 2% are cancelled; 85% of
 * task runs take one attempt, 10% two, 4% three, 1% four; durations and queue waits vary per task with a
 * slow tail of 2%. Then VACUUM ANALYZE, as autovacuum would have run over a week.
 */
export async function writeInsightsHistory(databaseUrl: string, taskRuns: number): Promise<{ runs: number; taskRuns: number }> {
  const runs = Math.ceil(taskRuns / TASKS_PER_RUN);
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(
      `INSERT INTO runs (id, namespace, workflow_name, workflow_version_id, version, status, tasks_total, tasks_open, created_at, started_at, finished_at)
       SELECT gen_random_uuid(), 'default', v.name, v.id, 1,
              CASE WHEN g % 50 < 3 THEN 'failed' WHEN g % 50 = 3 THEN 'timed_out' WHEN g % 50 = 4 THEN 'cancelled' ELSE 'succeeded' END,
              $2, 0, t.created, t.created + interval '40 ms',
              t.created + interval '40 ms' + (1000 + random() * 4000) * CASE WHEN random() < 0.05 THEN 10 ELSE 1 END * interval '1 ms'
         FROM generate_series(0, $1 - 1) AS g
         CROSS JOIN LATERAL (SELECT now() - interval '7 days' * random() - interval '2 minutes' AS created, g % $3 AS workflow) t
         JOIN workflow_versions v ON v.namespace = 'default' AND v.name = 'bench-insights-' || t.workflow`,
      [runs, TASKS_PER_RUN, INSIGHTS_WORKFLOWS],
    );
    await db.query(
      `INSERT INTO task_runs (run_id, name, type, status, attempt, queued_at, started_at, finished_at)
       SELECT r.id, 'task-' || k, ($2::text[])[1 + (k + length(r.workflow_name)) % 4],
              CASE WHEN k = $1 - 1 AND r.status = 'failed' THEN 'dead' ELSE 'succeeded' END,
              CASE WHEN k = $1 - 1 AND r.status = 'failed' THEN 3 ELSE a.attempt END,
              q.queued, q.queued + w.wait, q.queued + w.wait + d.duration
         FROM runs r
         CROSS JOIN generate_series(0, $1 - 1) AS k
         CROSS JOIN LATERAL (SELECT random() + 0 * k AS dice) x
         CROSS JOIN LATERAL (SELECT CASE WHEN x.dice < 0.85 THEN 1 WHEN x.dice < 0.95 THEN 2 WHEN x.dice < 0.99 THEN 3 ELSE 4 END AS attempt) a
         CROSS JOIN LATERAL (SELECT r.started_at + k * interval '150 ms' AS queued) q
         CROSS JOIN LATERAL (SELECT (2 + random() * 40 + 0 * k) * CASE WHEN random() < 0.02 THEN 25 ELSE 1 END * interval '1 ms' AS wait) w
         CROSS JOIN LATERAL (SELECT (20 * (1 + (k * 7 + ascii(right(r.workflow_name, 1))) % 17)) * (0.5 + random())
                                    * CASE WHEN random() < 0.02 THEN 20 ELSE 1 END * interval '1 ms' AS duration) d
        WHERE r.workflow_name LIKE 'bench-insights-%'`,
      [TASKS_PER_RUN, TYPES],
    );
    await db.query(
      `INSERT INTO dead_letters (task_run_id, run_id, namespace, workflow_name, task, type, attempt, dead_at)
       SELECT t.id, t.run_id, r.namespace, r.workflow_name, t.name, t.type, t.attempt, t.finished_at
         FROM task_runs t JOIN runs r ON r.id = t.run_id WHERE t.status = 'dead'`,
    );
    for (const table of ['runs', 'task_runs', 'dead_letters']) await db.query(`VACUUM ANALYZE ${table}`);
    const { rows } = await db.query<{ count: string }>(`SELECT count(*) AS count FROM task_runs`);
    return { runs, taskRuns: Number(rows[0]!.count) };
  } finally {
    await db.end();
  }
}

/**
 * What the leader's InsightsRollupTimer does over a history it has not seen, pass after pass (6 hours
 * each, up to 2 minutes ago, as nextRollupPass decides), done here at once rather than waiting for its
 * wake-ups. Returns the milliseconds it took.
 */
export async function catchUpInsightsRollups(databaseUrl: string): Promise<number> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const started = performance.now();
  try {
    const queryable = { query: async (sql: string, parameters?: unknown[]) => (await db.query(sql, parameters)).rows as any };
    const rollups = new InsightsRollupRepository();
    const firstHour = await rollups.firstHour(queryable);
    for (let pass = nextRollupPass(null, firstHour, Date.now()); pass;) {
      await db.query('BEGIN');
      await rollups.rollUp(queryable, new Date(pass.from), new Date(pass.to));
      await db.query('COMMIT');
      pass = pass.behind ? nextRollupPass(await rollups.rolledUntil(queryable), null, Date.now()) : undefined;
    }
    for (const table of ['insights_histograms', 'insights_histogram_days']) await db.query(`VACUUM ANALYZE ${table}`);
    return performance.now() - started;
  } finally {
    await db.end();
  }
}
