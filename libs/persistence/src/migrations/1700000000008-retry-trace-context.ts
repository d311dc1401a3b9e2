import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trace context a retried task's next attempt continues (the span that applied the failed
 * attempt's report). The attempt is sent by the leader after its backoff, from PostgreSQL, so the
 * context has to be stored with the task; without it each retry began a trace of its own. Null
 * while tracing is off. A nullable column without a default: adding it rewrites nothing.
 */
export class RetryTraceContext1700000000008 implements MigrationInterface {
  name = 'RetryTraceContext1700000000008';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE task_runs ADD COLUMN retry_traceparent text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE task_runs DROP COLUMN retry_traceparent`);
  }
}
