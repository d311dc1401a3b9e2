import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change to a workflow row (apply, delete, restore) notifies `flowctl_workflows` with its
 * namespace, delivered at commit. Schedulers cache which workflows listen to an event and drop a
 * namespace's entries on it. A trigger, not a NOTIFY in each write path: a new path cannot forget it.
 */
export class WorkflowChangeNotifications1700000000017 implements MigrationInterface {
  name = 'WorkflowChangeNotifications1700000000017';

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
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS workflows_changed ON workflows`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS flowctl_notify_workflow_change()`);
  }
}
