import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A page of a run's tasks, read along task_runs_by_run (run_id, id) in order.
 * Right after a fan-out inserts 100,000 task runs the statistics still say a
 * run has a few hundred, so the planner picked a bitmap scan of the whole run
 * and a sort (80 ms for a page of 10). The function plans its query with bitmap
 * scans off, which leaves the ordered index scan that stops after one page.
 */
export class RunTaskPages1700000000006 implements MigrationInterface {
  name = 'RunTaskPages1700000000006';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION flowctl_run_task_page(run uuid, after bigint, page_size int) RETURNS SETOF task_runs
        LANGUAGE sql STABLE
        SET enable_bitmapscan = off
        AS $$ SELECT * FROM task_runs WHERE run_id = run AND id > after ORDER BY id LIMIT page_size $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION IF EXISTS flowctl_run_task_page(uuid, bigint, int)`);
  }
}
