import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events answer once stored, and their runs start right after (docs/adr/0020-events-accepted-then-started.md):
 * `event_starts` is the outbox of runs an accepted event still owes, one row per run with the id the
 * answer promised. The scheduler that accepted the event deletes the row once the run exists; a row whose
 * `due_at` passes (that scheduler died) is started by the leader. No foreign key to events: the row lives
 * milliseconds, and a key check would lock the event row the accepting statement just wrote.
 */
export class EventStarts1700000000016 implements MigrationInterface {
  name = 'EventStarts1700000000016';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE event_starts (
        run_id uuid PRIMARY KEY,
        namespace text NOT NULL,
        event_id text NOT NULL,
        workflow_name text NOT NULL,
        inputs jsonb NOT NULL,
        due_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX event_starts_due ON event_starts (due_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS event_starts`);
  }
}
