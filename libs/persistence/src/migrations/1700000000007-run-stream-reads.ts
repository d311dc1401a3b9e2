import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the dashboard's run stream reads on connect, planned like flowctl_run_task_page (migration 6):
 * right after a 100,000-instance fan-out the statistics still say a run has a few hundred rows, and
 * the planner took bitmap scans of the whole run and sorted them (145 ms for the latest 1,000 of
 * 300,000 events, 100 ms for the instances' statuses, whose sort spilled to disk). With bitmap scans
 * off the ordered index scans remain: the tail stops after one page, and the statuses come in item
 * order along task_runs_instances, sorted in memory if at all.
 */
export class RunStreamReads1700000000007 implements MigrationInterface {
  name = 'RunStreamReads1700000000007';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION flowctl_run_event_tail(run uuid, after bigint, before bigint, page_size int) RETURNS SETOF run_events
        LANGUAGE sql STABLE
        SET enable_bitmapscan = off
        AS $$ SELECT * FROM run_events WHERE run_id = run AND id > after AND id < before ORDER BY id DESC LIMIT page_size $$`);
    await queryRunner.query(`
      CREATE FUNCTION flowctl_run_plain_tasks(run uuid) RETURNS SETOF task_runs
        LANGUAGE sql STABLE
        SET enable_bitmapscan = off
        AS $$ SELECT * FROM task_runs WHERE run_id = run AND parent_task_run_id IS NULL ORDER BY id $$`);
    await queryRunner.query(`
      CREATE FUNCTION flowctl_instance_status_letters(parent bigint, statuses text[]) RETURNS text
        LANGUAGE sql STABLE
        SET enable_bitmapscan = off
        SET work_mem = '16MB'
        AS $$ SELECT string_agg(chr(64 + array_position(statuses, status)), '' ORDER BY item_index)
                FROM task_runs WHERE parent_task_run_id = parent $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION IF EXISTS flowctl_instance_status_letters(bigint, text[])`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS flowctl_run_plain_tasks(uuid)`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS flowctl_run_event_tail(uuid, bigint, bigint, int)`);
  }
}
