import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The HTTP worker protocol: API tokens of role `worker` (they may only take and report tasks),
 * and a key every scheduler of the cluster shares to sign the leases it hands to HTTP workers,
 * so any scheduler behind one address can verify a lease another one issued. The key is made
 * by whichever scheduler needs it first (see the lease key store), never by this migration, so
 * no key sits in a migration's history.
 */
export class WorkerProtocol1700000000009 implements MigrationInterface {
  name = 'WorkerProtocol1700000000009';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check`);
    await queryRunner.query(
      `ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('viewer', 'operator', 'admin', 'worker'))`,
    );
    await queryRunner.query(`
      CREATE TABLE cluster_keys (
        name text PRIMARY KEY,
        key bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE cluster_keys`);
    await queryRunner.query(`DELETE FROM api_tokens WHERE role = 'worker'`);
    await queryRunner.query(`ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check`);
    await queryRunner.query(`ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('viewer', 'operator', 'admin'))`);
  }
}
