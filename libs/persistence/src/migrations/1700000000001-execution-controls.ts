import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Timeouts, fan-out instances, child runs, run limits and cron schedules.
 * Each deadline lives in one indexed column (task_runs.timeout_at,
 * runs.deadline_at, schedules.next_fire_at) so the leader's timers ask one
 * min() instead of scanning.
 */
export class ExecutionControls1700000000001 implements MigrationInterface {
  name = 'ExecutionControls1700000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE task_runs
        ADD COLUMN timeout_ms int,
        ADD COLUMN heartbeat_timeout_ms int,
        ADD COLUMN schedule_to_start_ms int,
        ADD COLUMN timeout_at timestamptz,
        ADD COLUMN parent_task_run_id bigint REFERENCES task_runs (id) ON DELETE CASCADE,
        ADD COLUMN item_index int,
        ADD COLUMN instances_total int,
        ADD COLUMN instances_succeeded int NOT NULL DEFAULT 0,
        ADD COLUMN instances_failed int NOT NULL DEFAULT 0`);
    await queryRunner.query(
      `CREATE INDEX task_runs_timeout_due ON task_runs (timeout_at) WHERE timeout_at IS NOT NULL AND status IN ('queued', 'running')`,
    );
    await queryRunner.query(
      `CREATE INDEX task_runs_instances ON task_runs (parent_task_run_id, item_index) WHERE parent_task_run_id IS NOT NULL`,
    );
    await queryRunner.query(`
      ALTER TABLE runs
        ADD COLUMN deadline_at timestamptz,
        ADD COLUMN parent_run_id uuid REFERENCES runs (id) ON DELETE SET NULL,
        ADD COLUMN parent_task_run_id bigint,
        ADD COLUMN scheduled_for timestamptz`);
    await queryRunner.query(
      `CREATE INDEX runs_deadline_due ON runs (deadline_at) WHERE deadline_at IS NOT NULL AND status IN ('pending', 'running')`,
    );
    await queryRunner.query(
      `CREATE INDEX runs_pending_by_workflow ON runs (namespace, workflow_name, created_at, id) WHERE status = 'pending'`,
    );
    await queryRunner.query(`CREATE INDEX runs_running_by_workflow ON runs (namespace, workflow_name) WHERE status = 'running'`);
    await queryRunner.query(`CREATE INDEX runs_children ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE schedules (
        namespace text NOT NULL,
        name text NOT NULL,
        cron text NOT NULL,
        timezone text NOT NULL,
        overlap text NOT NULL,
        paused boolean NOT NULL DEFAULT false,
        next_fire_at timestamptz NOT NULL,
        last_fired_at timestamptz,
        buffered_fire_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (namespace, name)
      )`);
    await queryRunner.query(`CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE NOT paused`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS schedules`);
    await queryRunner.query(
      `ALTER TABLE runs DROP COLUMN deadline_at, DROP COLUMN parent_run_id, DROP COLUMN parent_task_run_id, DROP COLUMN scheduled_for`,
    );
    await queryRunner.query(
      `ALTER TABLE task_runs DROP COLUMN timeout_ms, DROP COLUMN heartbeat_timeout_ms, DROP COLUMN schedule_to_start_ms, DROP COLUMN timeout_at, DROP COLUMN parent_task_run_id, DROP COLUMN item_index, DROP COLUMN instances_total, DROP COLUMN instances_succeeded, DROP COLUMN instances_failed`,
    );
  }
}
