import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The insights histograms again per day (UTC), beside the hourly ones of migration 11: in an hour each
 * task sees a few dozen distinct durations, in a day hardly more, so a week's percentiles merge a few
 * thousand daily rows plus the hours at the window's ends instead of every hourly row (a quarter of a
 * million over a busy week). Kept by the same rollup pass: each day it touches is summed again from its
 * hours. The key leads with measure and day, as a read asks for one measure over a range of days.
 */
export class InsightsDailyHistograms1700000000015 implements MigrationInterface {
  name = 'InsightsDailyHistograms1700000000015';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE insights_histogram_days (
        day timestamptz NOT NULL,
        namespace text NOT NULL,
        workflow_name text NOT NULL,
        measure text NOT NULL,
        task text NOT NULL,
        type text NOT NULL,
        value_ms float8 NOT NULL,
        count int NOT NULL,
        PRIMARY KEY (measure, day, namespace, workflow_name, task, type, value_ms)
      )`);
    // The days of the hours already rolled up.
    await queryRunner.query(`
      INSERT INTO insights_histogram_days (day, namespace, workflow_name, measure, task, type, value_ms, count)
      SELECT date_bin(interval '1 day', hour, timestamptz 'epoch'), namespace, workflow_name, measure, task, type, value_ms, sum(count)
        FROM insights_histograms GROUP BY 1, 2, 3, 4, 5, 6, 7`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS insights_histogram_days`);
  }
}
