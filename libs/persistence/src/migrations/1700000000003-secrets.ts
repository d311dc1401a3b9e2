import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Secrets, sealed (AES-256-GCM): the scheduler stores only ciphertext and the
 * id of the key that sealed it, so a rotation can tell old rows from new. A
 * task that reads secrets keeps, beside its placeholder input, the slots the
 * worker fills (names and surrounding text, never values).
 */
export class Secrets1700000000003 implements MigrationInterface {
  name = 'Secrets1700000000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE secrets (
        namespace text NOT NULL,
        name text NOT NULL,
        key_id text NOT NULL,
        nonce bytea NOT NULL,
        ciphertext bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (namespace, name)
      )`);
    await queryRunner.query(`ALTER TABLE task_runs ADD COLUMN secret_slots jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE task_runs DROP COLUMN secret_slots`);
    await queryRunner.query(`DROP TABLE IF EXISTS secrets`);
  }
}
