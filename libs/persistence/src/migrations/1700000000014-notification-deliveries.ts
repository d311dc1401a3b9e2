import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Run notifications (spec.notify): the outbox of deliveries, written in the transaction that ends the
 * run or dead-letters its task, and every attempt at sending one. Deliveries go with their run
 * (ON DELETE CASCADE, as dead letters do); the leader's timer finds the next due one through the
 * partial index on pending rows only.
 */
export class NotificationDeliveries1700000000014 implements MigrationInterface {
  name = 'NotificationDeliveries1700000000014';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE notification_deliveries (
        id bigserial PRIMARY KEY,
        run_id uuid NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        namespace text NOT NULL,
        workflow_name text NOT NULL,
        event text NOT NULL,
        url text NOT NULL,
        secret_name text,
        format text NOT NULL,
        dead_task jsonb,
        status text NOT NULL DEFAULT 'pending',
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        last_error text
      )`);
    await queryRunner.query(`CREATE INDEX notification_deliveries_by_run ON notification_deliveries (run_id, id)`);
    await queryRunner.query(
      `CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    await queryRunner.query(`
      CREATE TABLE notification_attempts (
        delivery_id bigint NOT NULL REFERENCES notification_deliveries(id) ON DELETE CASCADE,
        attempt int NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms int NOT NULL,
        status_code int,
        response text,
        error text,
        PRIMARY KEY (delivery_id, attempt)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS notification_attempts`);
    await queryRunner.query(`DROP TABLE IF EXISTS notification_deliveries`);
  }
}
