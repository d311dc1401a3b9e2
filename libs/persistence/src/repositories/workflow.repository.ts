import { createHash } from 'node:crypto';
import { canonicalJson, type WorkflowDefinition } from '@flowctl/core';
import { queryRows, type Queryable } from '../queryable';

export type ApplyResult = 'created' | 'configured' | 'unchanged';

export interface WorkflowRow {
  namespace: string;
  name: string;
  currentVersion: number;
  labels: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
}

export interface WorkflowVersionRow {
  id: string;
  namespace: string;
  name: string;
  version: number;
  contentHash: string;
  definition: WorkflowDefinition;
  source: string;
  createdAt: Date;
}

const VERSION_COLUMNS = `id, namespace, name, version, content_hash AS "contentHash", definition, source, created_at AS "createdAt"`;
const WORKFLOW_COLUMNS = `namespace, name, current_version AS "currentVersion", labels, created_at AS "createdAt", updated_at AS "updatedAt"`;

export const contentHash = (definition: WorkflowDefinition): string => createHash('sha256').update(canonicalJson(definition)).digest('hex');

interface CurrentVersion {
  currentVersion: number;
  deleted: boolean;
  hash: string;
}

/** The same content keeps its version; anything else is the next one, `created` again after a delete. */
function plannedApply(current: CurrentVersion | undefined, hash: string): { version: number; result: ApplyResult } {
  if (current && !current.deleted && current.hash === hash) return { version: current.currentVersion, result: 'unchanged' };
  return { version: (current?.currentVersion ?? 0) + 1, result: current && !current.deleted ? 'configured' : 'created' };
}

export class WorkflowRepository {
  /**
   * Stores a definition as a new version unless its content equals the current
   * one. Must run in a transaction: the row lock on the workflow serialises two
   * applies of the same name so they cannot both take the next version number.
   */
  async apply(tx: Queryable, definition: WorkflowDefinition, source: string): Promise<{ version: number; result: ApplyResult }> {
    const { namespace, name, labels } = definition.metadata;
    const hash = contentHash(definition);
    const planned = plannedApply(await this.currentOf(tx, namespace, name, { forUpdate: true }), hash);
    if (planned.result === 'unchanged') return planned;
    await tx.query(
      `INSERT INTO workflow_versions (namespace, name, version, content_hash, definition, source) VALUES ($1, $2, $3, $4, $5, $6)`,
      [namespace, name, planned.version, hash, JSON.stringify(definition), source],
    );
    await tx.query(
      `INSERT INTO workflows (namespace, name, current_version, labels) VALUES ($1, $2, $3, $4)
       ON CONFLICT (namespace, name) DO UPDATE
         SET current_version = EXCLUDED.current_version, labels = EXCLUDED.labels, updated_at = now(), deleted_at = NULL`,
      [namespace, name, planned.version, JSON.stringify(labels)],
    );
    return planned;
  }

  /** What `apply` would answer now, writing nothing (a dry run). */
  async planApply(db: Queryable, definition: WorkflowDefinition): Promise<{ version: number; result: ApplyResult }> {
    const { namespace, name } = definition.metadata;
    return plannedApply(await this.currentOf(db, namespace, name, { forUpdate: false }), contentHash(definition));
  }

  private async currentOf(
    db: Queryable,
    namespace: string,
    name: string,
    options: { forUpdate: boolean },
  ): Promise<CurrentVersion | undefined> {
    const [current] = await queryRows<CurrentVersion>(
      db,
      `SELECT w.current_version AS "currentVersion", w.deleted_at IS NOT NULL AS deleted, v.content_hash AS hash
         FROM workflows w JOIN workflow_versions v ON v.namespace = w.namespace AND v.name = w.name AND v.version = w.current_version
        WHERE w.namespace = $1 AND w.name = $2${options.forUpdate ? ' FOR UPDATE OF w' : ''}`,
      [namespace, name],
    );
    return current;
  }

  async find(db: Queryable, namespace: string, name: string): Promise<WorkflowRow | undefined> {
    const [row] = await queryRows<WorkflowRow>(
      db,
      `SELECT ${WORKFLOW_COLUMNS} FROM workflows WHERE namespace = $1 AND name = $2 AND deleted_at IS NULL`,
      [namespace, name],
    );
    return row;
  }

  /** Keyset pagination on (namespace, name): stable under concurrent applies. */
  async list(db: Queryable, options: { namespaces?: readonly string[]; after?: [string, string]; limit: number }): Promise<WorkflowRow[]> {
    return queryRows<WorkflowRow>(
      db,
      `SELECT ${WORKFLOW_COLUMNS} FROM workflows
        WHERE deleted_at IS NULL AND ($1::text[] IS NULL OR namespace = ANY($1))
          AND ($2::text IS NULL OR (namespace, name) > ($2, $3))
        ORDER BY namespace, name LIMIT $4`,
      [options.namespaces ?? null, options.after?.[0] ?? null, options.after?.[1] ?? null, options.limit],
    );
  }

  async versions(db: Queryable, namespace: string, name: string): Promise<Omit<WorkflowVersionRow, 'definition' | 'source'>[]> {
    return queryRows(
      db,
      `SELECT id, namespace, name, version, content_hash AS "contentHash", created_at AS "createdAt"
         FROM workflow_versions WHERE namespace = $1 AND name = $2 ORDER BY version DESC`,
      [namespace, name],
    );
  }

  async version(db: Queryable, namespace: string, name: string, version: number): Promise<WorkflowVersionRow | undefined> {
    const [row] = await queryRows<WorkflowVersionRow>(
      db,
      `SELECT ${VERSION_COLUMNS} FROM workflow_versions WHERE namespace = $1 AND name = $2 AND version = $3`,
      [namespace, name, version],
    );
    return row;
  }

  /** The id and number of a live workflow's current version, in one lookup (the definition itself is in the catalog's cache). */
  async currentVersion(db: Queryable, namespace: string, name: string): Promise<{ id: string; version: number } | undefined> {
    const [row] = await queryRows<{ id: string; version: number }>(
      db,
      `SELECT v.id, v.version FROM workflows w
         JOIN workflow_versions v ON v.namespace = w.namespace AND v.name = w.name AND v.version = w.current_version
        WHERE w.namespace = $1 AND w.name = $2 AND w.deleted_at IS NULL`,
      [namespace, name],
    );
    return row;
  }

  async versionById(db: Queryable, id: string): Promise<WorkflowVersionRow | undefined> {
    const [row] = await queryRows<WorkflowVersionRow>(db, `SELECT ${VERSION_COLUMNS} FROM workflow_versions WHERE id = $1`, [id]);
    return row;
  }

  /** Serialises decisions about one workflow's runs (its concurrency limit) across schedulers. */
  async lock(tx: Queryable, namespace: string, name: string): Promise<void> {
    await tx.query(`SELECT 1 FROM workflows WHERE namespace = $1 AND name = $2 FOR UPDATE`, [namespace, name]);
  }

  /** Soft delete: versions stay, because runs keep pointing at them. */
  async delete(db: Queryable, namespace: string, name: string): Promise<boolean> {
    const rows = await queryRows<{ name: string }>(
      db,
      `UPDATE workflows SET deleted_at = now(), updated_at = now() WHERE namespace = $1 AND name = $2 AND deleted_at IS NULL RETURNING name`,
      [namespace, name],
    );
    return rows.length > 0;
  }
}
