import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Live views learn which runs changed from NOTIFY flowctl_run_events (payload:
 * the run id). A statement-level trigger sends them for every batch of events,
 * so the engine no longer spends a round trip per transaction on pg_notify and
 * no writer of history can forget to.
 */
export class RunEventNotifications1700000000005 implements MigrationInterface {
  name = 'RunEventNotifications1700000000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION flowctl_notify_run_events() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('flowctl_run_events', run_id::text) FROM (SELECT DISTINCT run_id FROM inserted) AS changed;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER run_events_notify AFTER INSERT ON run_events
        REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION flowctl_notify_run_events()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS run_events_notify ON run_events`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS flowctl_notify_run_events()`);
  }
}
