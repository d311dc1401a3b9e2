import { queryRows, type Queryable } from '../queryable';

export type TriggerKind = 'event' | 'hook' | 'workflowRun';

/**
 * The index of spec.on: which workflows of a namespace listen to a source (an event name, a hook,
 * another workflow's runs). Written with each apply, so an event finds its workflows with one
 * indexed read instead of scanning definitions; the definitions stay the truth for filters and inputs.
 */
export class TriggerRepository {
  /** Replaces a workflow's triggers; in the apply's transaction, under its row lock. */
  async replace(
    tx: Queryable,
    namespace: string,
    workflow: string,
    sources: readonly { kind: TriggerKind; name: string }[],
  ): Promise<void> {
    await tx.query(`DELETE FROM workflow_triggers WHERE namespace = $1 AND workflow_name = $2`, [namespace, workflow]);
    if (sources.length === 0) return;
    await tx.query(
      `INSERT INTO workflow_triggers (namespace, kind, source, workflow_name)
       SELECT $1, kind, source, $2 FROM unnest($3::text[], $4::text[]) AS t(kind, source) ON CONFLICT DO NOTHING`,
      [namespace, workflow, sources.map((source) => source.kind), sources.map((source) => source.name)],
    );
  }

  /** The live workflows listening to a source, by name, with the id of their current version. */
  async listeners(db: Queryable, namespace: string, kind: TriggerKind, source: string): Promise<{ name: string; versionId: string }[]> {
    return queryRows<{ name: string; versionId: string }>(
      db,
      `SELECT t.workflow_name AS name, v.id AS "versionId" FROM workflow_triggers t
         JOIN workflows w ON w.namespace = t.namespace AND w.name = t.workflow_name AND w.deleted_at IS NULL
         JOIN workflow_versions v ON v.namespace = w.namespace AND v.name = w.name AND v.version = w.current_version
        WHERE t.namespace = $1 AND t.kind = $2 AND t.source = $3 ORDER BY t.workflow_name`,
      [namespace, kind, source],
    );
  }

  /** Every live workflow of the namespace with the workflows whose runs start it: the graph a cycle check walks. */
  async workflowRunGraph(db: Queryable, namespace: string): Promise<Map<string, string[]>> {
    const rows = await queryRows<{ workflow: string; upstream: string }>(
      db,
      `SELECT t.workflow_name AS workflow, t.source AS upstream FROM workflow_triggers t
         JOIN workflows w ON w.namespace = t.namespace AND w.name = t.workflow_name AND w.deleted_at IS NULL
        WHERE t.namespace = $1 AND t.kind = 'workflowRun'`,
      [namespace],
    );
    const graph = new Map<string, string[]>();
    for (const row of rows) graph.set(row.workflow, [...(graph.get(row.workflow) ?? []), row.upstream]);
    return graph;
  }
}
