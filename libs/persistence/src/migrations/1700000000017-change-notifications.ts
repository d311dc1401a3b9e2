import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications, delivered at commit, for what schedulers cache (NotifiedCache):
 * - every change to a workflow row (apply, delete, restore) notifies `flowctl_workflows` with its
 *   namespace: the trigger listeners of that namespace are read again;
 * - a change to what an API token may do (revoked, role, namespaces, expiry) or its deletion
 *   notifies `flowctl_tokens` with its id: the token is checked against the database again.
 * Triggers, not a NOTIFY in each write path: a new path cannot forget one. `last_used_at`
 * updates notify nothing.
 */
export class ChangeNotifications1700000000017 implements MigrationInterface {
  name = 'ChangeNotifications1700000000017';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION flowctl_notify_workflow_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('flowctl_workflows', COALESCE(NEW.namespace, OLD.namespace));
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER workflows_changed AFTER INSERT OR UPDATE OR DELETE ON workflows
        FOR EACH ROW EXECUTE FUNCTION flowctl_notify_workflow_change()`);
    await queryRunner.query(`
      CREATE FUNCTION flowctl_notify_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('flowctl_tokens', OLD.id::text);
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER api_tokens_changed AFTER UPDATE OF revoked_at, role, namespaces, expires_at, token_hash OR DELETE ON api_tokens
        FOR EACH ROW EXECUTE FUNCTION flowctl_notify_token_change()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS api_tokens_changed ON api_tokens`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS flowctl_notify_token_change()`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS workflows_changed ON workflows`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS flowctl_notify_workflow_change()`);
  }
}
