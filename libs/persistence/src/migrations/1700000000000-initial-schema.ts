import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole first schema. Hot rows (task_runs) carry dependency counters so a
 * finished task releases its dependents with one UPDATE per edge batch, never a
 * rescan of the run; partial indexes cover exactly the leader's timer queries.
 */
export class InitialSchema1700000000000 implements MigrationInterface {
  name = 'InitialSchema1700000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE workflows (
        namespace text NOT NULL,
        name text NOT NULL,
        current_version int NOT NULL,
        labels jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        PRIMARY KEY (namespace, name)
      )`);
    await queryRunner.query(`
      CREATE TABLE workflow_versions (
        id bigserial PRIMARY KEY,
        namespace text NOT NULL,
        name text NOT NULL,
        version int NOT NULL,
        content_hash text NOT NULL,
        definition jsonb NOT NULL,
        source text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (namespace, name, version)
      )`);
    await queryRunner.query(`
      CREATE TABLE runs (
        id uuid PRIMARY KEY,
        namespace text NOT NULL,
        workflow_name text NOT NULL,
        workflow_version_id bigint NOT NULL REFERENCES workflow_versions (id),
        version int NOT NULL,
        status text NOT NULL,
        inputs jsonb NOT NULL DEFAULT '{}',
        idempotency_key text,
        tasks_total int NOT NULL,
        tasks_open int NOT NULL,
        tasks_failed int NOT NULL DEFAULT 0,
        error jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX runs_idempotency_key ON runs (namespace, workflow_name, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX runs_newest ON runs (created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX runs_workflow_newest ON runs (namespace, workflow_name, created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX runs_status_newest ON runs (status, created_at DESC, id DESC)`);
    await queryRunner.query(`
      CREATE TABLE task_runs (
        id bigserial PRIMARY KEY,
        run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        name text NOT NULL,
        type text NOT NULL,
        status text NOT NULL,
        attempt int NOT NULL DEFAULT 0,
        budget_start int NOT NULL DEFAULT 1,
        priority smallint NOT NULL DEFAULT 3,
        deps_total int NOT NULL DEFAULT 0,
        deps_succeeded int NOT NULL DEFAULT 0,
        deps_failed int NOT NULL DEFAULT 0,
        deps_skipped int NOT NULL DEFAULT 0,
        input jsonb,
        output jsonb,
        error jsonb,
        worker_id text,
        heartbeat_details jsonb,
        heartbeat_at timestamptz,
        queued_at timestamptz,
        started_at timestamptz,
        finished_at timestamptz,
        retry_at timestamptz,
        UNIQUE (run_id, name)
      )`);
    await queryRunner.query(`CREATE INDEX task_runs_retry_due ON task_runs (retry_at) WHERE status = 'retrying'`);
    await queryRunner.query(`CREATE INDEX task_runs_in_flight ON task_runs (queued_at) WHERE status IN ('queued', 'running')`);
    await queryRunner.query(`
      CREATE TABLE run_events (
        id bigserial PRIMARY KEY,
        run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        type text NOT NULL,
        task text,
        attempt int,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        details jsonb
      )`);
    await queryRunner.query(`CREATE INDEX run_events_by_run ON run_events (run_id, id)`);
    await queryRunner.query(`
      CREATE TABLE dead_letters (
        id bigserial PRIMARY KEY,
        task_run_id bigint NOT NULL REFERENCES task_runs (id) ON DELETE CASCADE,
        run_id uuid NOT NULL,
        namespace text NOT NULL,
        workflow_name text NOT NULL,
        task text NOT NULL,
        type text NOT NULL,
        attempt int NOT NULL,
        error jsonb,
        input jsonb,
        dead_at timestamptz NOT NULL DEFAULT now(),
        requeued_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX dead_letters_open ON dead_letters (dead_at DESC, id DESC) WHERE requeued_at IS NULL`);
    await queryRunner.query(`
      CREATE TABLE workers (
        id text PRIMARY KEY,
        host text NOT NULL,
        types text[] NOT NULL,
        concurrency int NOT NULL,
        version text NOT NULL,
        status text NOT NULL,
        running int NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL DEFAULT now(),
        last_heartbeat_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE schedulers (
        id text PRIMARY KEY,
        host text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE leader_lease (
        name text PRIMARY KEY,
        holder text NOT NULL,
        token bigint NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'leader_lease',
      'schedulers',
      'workers',
      'dead_letters',
      'run_events',
      'task_runs',
      'runs',
      'workflow_versions',
      'workflows',
    ]) {
      await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
