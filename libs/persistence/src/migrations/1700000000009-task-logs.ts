import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Task logs (see docs/adr/0014-task-logs.md): the lines of each attempt, and one bookkeeping row per
 * attempt that numbers them and counts their bytes for the per-attempt cap. The lines carry no foreign
 * key: a key would cost a check per line on the busiest insert we have, and lines are deleted with
 * their run by the pruning (through the bookkeeping rows, which do reference their task run).
 */
export class TaskLogs1700000000009 implements MigrationInterface {
  name = 'TaskLogs1700000000009';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE task_log_attempts (
        task_run_id bigint NOT NULL REFERENCES task_runs (id) ON DELETE CASCADE,
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
