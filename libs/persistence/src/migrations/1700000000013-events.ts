import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events in (docs/events.md): the trigger index of spec.on, the events received with their outcome,
 * which run each event started (what GET /runs/:id shows), the outbox of ended runs that
 * workflowRun triggers wait for, and the `emitter` token role.
 *
 * `event_runs` has no foreign key to runs: an event outlives nothing but its own retention, and a
 * key check would take a lock on the run row the engine holds FOR UPDATE while it starts the run.
 */
export class Events1700000000013 implements MigrationInterface {
  name = 'Events1700000000013';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE workflow_triggers (
        namespace text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('event', 'hook', 'workflowRun')),
        source text NOT NULL,
        workflow_name text NOT NULL,
        PRIMARY KEY (namespace, kind, source, workflow_name)
      )`);
    await queryRunner.query(`CREATE INDEX workflow_triggers_by_workflow ON workflow_triggers (namespace, workflow_name)`);
    await queryRunner.query(`
      CREATE TABLE events (
        namespace text NOT NULL,
        id text NOT NULL,
        name text NOT NULL,
        source text NOT NULL CHECK (source IN ('api', 'hook', 'workflowRun')),
        data jsonb,
        received_at timestamptz NOT NULL DEFAULT now(),
        outcome text NOT NULL CHECK (outcome IN ('matched', 'unmatched', 'rejected')),
        reason text,
        runs jsonb NOT NULL DEFAULT '[]',
        PRIMARY KEY (namespace, id)
      )`);
    await queryRunner.query(`CREATE INDEX events_by_received ON events (received_at DESC, namespace, id)`);
    await queryRunner.query(`
      CREATE TABLE event_runs (
        run_id uuid PRIMARY KEY,
        namespace text NOT NULL,
        event_id text NOT NULL,
        FOREIGN KEY (namespace, event_id) REFERENCES events (namespace, id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX event_runs_by_event ON event_runs (namespace, event_id)`);
    await queryRunner.query(`
      CREATE TABLE run_end_outbox (
        run_id uuid PRIMARY KEY,
        namespace text NOT NULL,
        workflow_name text NOT NULL,
        status text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check`);
    await queryRunner.query(
      `ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('viewer', 'operator', 'admin', 'worker', 'emitter'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM api_tokens WHERE role = 'emitter'`);
    await queryRunner.query(`ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check`);
    await queryRunner.query(
      `ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('viewer', 'operator', 'admin', 'worker'))`,
    );
    await queryRunner.query(`DROP TABLE IF EXISTS run_end_outbox`);
    await queryRunner.query(`DROP TABLE IF EXISTS event_runs`);
    await queryRunner.query(`DROP TABLE IF EXISTS events`);
    await queryRunner.query(`DROP TABLE IF EXISTS workflow_triggers`);
  }
}
