import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What pruning finished runs (FLOWCTL_RETENTION) reads and deletes along:
 * the oldest finished runs in order, and dead letters by task run, which the
 * ON DELETE CASCADE from task_runs looks up once per deleted task run (without
 * an index, a scan of dead_letters each time). And a run's tasks in id order,
 * the pages of GET /runs/:id: without it the first page of a new run walks the
 * primary key past every older task run in the table, or sorts all the run's
 * tasks to return a thousand.
 */
export class RetentionAndRunPageIndexes1700000000004 implements MigrationInterface {
  name = 'RetentionAndRunPageIndexes1700000000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX runs_finished ON runs (finished_at, id) WHERE status IN ('succeeded', 'failed', 'cancelled', 'timed_out')`,
    );
    await queryRunner.query(`CREATE INDEX dead_letters_by_task_run ON dead_letters (task_run_id)`);
    await queryRunner.query(`CREATE INDEX task_runs_by_run ON task_runs (run_id, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS task_runs_by_run`);
    await queryRunner.query(`DROP INDEX IF EXISTS dead_letters_by_task_run`);
    await queryRunner.query(`DROP INDEX IF EXISTS runs_finished`);
  }
}
