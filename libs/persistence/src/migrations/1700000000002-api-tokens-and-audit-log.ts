import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API tokens (only their SHA-256 is stored: a token is shown once, at creation)
 * and the audit log of every change made through the API.
 */
export class ApiTokensAndAuditLog1700000000002 implements MigrationInterface {
  name = 'ApiTokensAndAuditLog1700000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        -- NULL: every namespace.
        namespaces text[],
        token_hash text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        token_id uuid,
        action text NOT NULL,
        target text,
        namespace text,
        outcome text NOT NULL,
        status_code int NOT NULL,
        message text
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS audit_log`);
    await queryRunner.query(`DROP TABLE IF EXISTS api_tokens`);
  }
}
