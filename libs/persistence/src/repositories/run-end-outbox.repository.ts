import { RUN_ENDS_CHANNEL } from '@flowctl/core';
import { queryRows, type Queryable } from '../queryable';
import type { Statement } from '../statement';

export interface EndedRun {
  runId: string;
  namespace: string;
  workflowName: string;
  status: string;
}

/**
 * Runs that ended while some workflow waits for them (a workflowRun trigger). The row is written
 * by the transaction that ends the run, so the fact survives any crash after the commit; it is
 * deleted once the runs it starts are started (idempotently, keyed by the ended run's id).
 */
export class RunEndOutboxRepository {
  /**
   * Only runs of workflows some trigger listens to: the others cost the statement nothing but a probe.
   * Each row notifies RUN_ENDS_CHANNEL, which PostgreSQL delivers (once) at commit: the drainers wake
   * exactly when there is something committed to drain.
   */
  addStatement(runs: readonly EndedRun[]): Statement | undefined {
    if (runs.length === 0) return undefined;
    return {
      sql: `INSERT INTO run_end_outbox (run_id, namespace, workflow_name, status)
       SELECT r.run_id, r.namespace, r.workflow_name, r.status FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])
           AS r(run_id, namespace, workflow_name, status)
        WHERE EXISTS (SELECT 1 FROM workflow_triggers t WHERE t.namespace = r.namespace AND t.kind = 'workflowRun' AND t.source = r.workflow_name)
       ON CONFLICT (run_id) DO NOTHING
       RETURNING pg_notify('${RUN_ENDS_CHANNEL}', '')`,
      parameters: [runs.map((r) => r.runId), runs.map((r) => r.namespace), runs.map((r) => r.workflowName), runs.map((r) => r.status)],
    };
  }

  /** The oldest waiting rows. */
  async waiting(db: Queryable, limit: number): Promise<EndedRun[]> {
    return queryRows<EndedRun>(
      db,
      `SELECT run_id AS "runId", namespace, workflow_name AS "workflowName", status FROM run_end_outbox ORDER BY created_at LIMIT $1`,
      [limit],
    );
  }

  async remove(db: Queryable, runId: string): Promise<void> {
    await db.query(`DELETE FROM run_end_outbox WHERE run_id = $1`, [runId]);
  }
}
