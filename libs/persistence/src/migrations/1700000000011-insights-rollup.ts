import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hourly rollups of what GET /insights reads, so a week (1,000,000 task runs) is answered from a few
 * thousand rows plus the hour in progress. Written by the leader (InsightsRollupTimer), never by the
 * engine's transactions: counts per hour, and histograms whose values are durations rounded to two
 * significant digits (at most 5% off), from which percentiles are interpolated as percentile_cont would.
 * insights_rollup_state.rolled_until: every hour before it is in the rollups.
 */
export class InsightsRollup1700000000011 implements MigrationInterface {
  name = 'InsightsRollup1700000000011';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE insights_run_hours (
        hour timestamptz NOT NULL,
        namespace text NOT NULL,
        workflow_name text NOT NULL,
        started int NOT NULL,
        succeeded int NOT NULL,
        failed int NOT NULL,
        timed_out int NOT NULL,
        cancelled int NOT NULL,
        PRIMARY KEY (hour, namespace, workflow_name)
      )`);
    await queryRunner.query(`
      CREATE TABLE insights_task_hours (
        hour timestamptz NOT NULL,
        namespace text NOT NULL,
        workflow_name text NOT NULL,
        task text NOT NULL,
        type text NOT NULL,
        finished int NOT NULL,
        retries int NOT NULL,
        retried_runs int NOT NULL,
        PRIMARY KEY (hour, namespace, workflow_name, task, type)
      )`);
    // measure: 'run' (run duration; task and type ''), 'task' (an attempt's run time), 'wait' (enqueue to start).
    await queryRunner.query(`
      CREATE TABLE insights_histograms (
        hour timestamptz NOT NULL,
        namespace text NOT NULL,
        workflow_name text NOT NULL,
        measure text NOT NULL,
        task text NOT NULL,
        type text NOT NULL,
        value_ms float8 NOT NULL,
        count int NOT NULL,
        PRIMARY KEY (hour, namespace, workflow_name, measure, task, type, value_ms)
      )`);
    // A read asks for one measure over the window's hours: an index-only scan of exactly those rows (a third of the table).
    await queryRunner.query(
      `CREATE INDEX insights_histograms_by_measure ON insights_histograms (measure, hour, namespace, workflow_name, task, type, value_ms) INCLUDE (count)`,
    );
    // 1234.5 -> 1200, 0.456 -> 0.46: the histogram's value for a duration (numeric, so 0.1 steps stay exact).
    await queryRunner.query(`
      CREATE FUNCTION flowctl_two_digits(ms float8) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT CASE WHEN ms IS NULL OR ms <= 0 THEN 0::float8
                          ELSE (round(ms::numeric / (10::numeric ^ (floor(log(ms)) - 1)::int)) * (10::numeric ^ (floor(log(ms)) - 1)::int))::float8 END $$`);
    await queryRunner.query(
      `CREATE TABLE insights_rollup_state (id boolean PRIMARY KEY DEFAULT true CHECK (id), rolled_until timestamptz)`,
    );
    await queryRunner.query(`INSERT INTO insights_rollup_state (id, rolled_until) VALUES (true, NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION IF EXISTS flowctl_two_digits(float8)`);
    for (const table of ['insights_rollup_state', 'insights_histograms', 'insights_task_hours', 'insights_run_hours'])
      await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
  }
}
