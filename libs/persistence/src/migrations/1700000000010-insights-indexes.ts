import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What GET /insights reads by time: task runs and dead letters by when they ended (runs already have
 * runs_newest on created_at and runs_finished on finished_at). Partial, so the task runs still in flight
 * (finished_at null) are not in it and a task's start changes nothing here; its end adds one entry.
 */
export class InsightsIndexes1700000000010 implements MigrationInterface {
  name = 'InsightsIndexes1700000000010';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX task_runs_finished ON task_runs (finished_at) WHERE finished_at IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX dead_letters_dead_at ON dead_letters (dead_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS dead_letters_dead_at`);
    await queryRunner.query(`DROP INDEX IF EXISTS task_runs_finished`);
  }
}
