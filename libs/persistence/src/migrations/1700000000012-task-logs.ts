import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Task logs (see docs/adr/0014-task-logs.md): the lines of each attempt, and one bookkeeping row per
 * attempt that numbers them and counts their bytes for the per-attempt cap. Neither table has a
 * foreign key to task_runs: the key's check takes a KEY SHARE lock on the task run, which waits for
 * the engine's FOR UPDATE of the same row, and logs must never queue behind task state (nor it behind
 * them). Pruning deletes both with their run, by run_id.
 */
export class TaskLogs1700000000012 implements MigrationInterface {
  name = 'TaskLogs1700000000012';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE task_log_attempts (
        task_run_id bigint NOT NULL,
        attempt int NOT NULL,
        run_id uuid NOT NULL,
        next_seq bigint NOT NULL DEFAULT 0,
        bytes bigint NOT NULL DEFAULT 0,
        dropped bigint NOT NULL DEFAULT 0,
        marker_seq bigint,
        PRIMARY KEY (task_run_id, attempt)
      )`);
    await queryRunner.query(`CREATE INDEX task_log_attempts_by_run ON task_log_attempts (run_id)`);
    await queryRunner.query(`
      CREATE TABLE task_logs (
        task_run_id bigint NOT NULL,
        attempt int NOT NULL,
        seq bigint NOT NULL,
        ts timestamptz NOT NULL,
        level text NOT NULL,
        stream text NOT NULL,
        message text NOT NULL,
        PRIMARY KEY (task_run_id, attempt, seq)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS task_logs`);
    await queryRunner.query(`DROP TABLE IF EXISTS task_log_attempts`);
  }
}
