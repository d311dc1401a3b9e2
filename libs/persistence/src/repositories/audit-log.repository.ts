import { queryRows, type Queryable } from '../queryable';
import type { Statement } from '../statement';

export type AuditOutcome = 'succeeded' | 'denied' | 'failed';

export interface AuditEntry {
  /** Token name or JWT subject: who did it. */
  actor: string;
  tokenId: string | null;
  /** `workflow.apply`, `run.cancel`, `token.create`, ... */
  action: string;
  target: string | null;
  namespace: string | null;
  outcome: AuditOutcome;
  statusCode: number;
  message: string | null;
}

export interface AuditRow extends AuditEntry {
  id: string;
  at: Date;
}

const COLUMNS = `id, at, actor, token_id AS "tokenId", action, target, namespace, outcome, status_code AS "statusCode", message`;

export class AuditLogRepository {
  async add(db: Queryable, entry: AuditEntry): Promise<void> {
    await db.query(
      `INSERT INTO audit_log (actor, token_id, action, target, namespace, outcome, status_code, message)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [entry.actor, entry.tokenId, entry.action, entry.target, entry.namespace, entry.outcome, entry.statusCode, entry.message],
    );
  }

  /** The entries as one statement, to ride in the transaction of the change they record. */
  addStatement(entries: readonly AuditEntry[]): Statement | undefined {
    if (entries.length === 0) return undefined;
    return auditRowsInsert(entries, 1);
  }

  /** Newest first, keyset-paginated by id. */
  async list(db: Queryable, options: { beforeId?: string; limit: number }): Promise<AuditRow[]> {
    return queryRows<AuditRow>(db, `SELECT ${COLUMNS} FROM audit_log WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2`, [
      options.beforeId ?? null,
      options.limit,
    ]);
  }
}

/**
 * The INSERT of audit rows, its parameters numbered from `firstParameter`: a statement of its own, or a
 * data-modifying CTE of a statement that writes the change it records (accepting an event).
 */
export function auditRowsInsert(entries: readonly AuditEntry[], firstParameter: number): Statement {
  const types = ['text', 'uuid', 'text', 'text', 'text', 'text', 'int', 'text'];
  return {
    sql: `INSERT INTO audit_log (actor, token_id, action, target, namespace, outcome, status_code, message)
       SELECT * FROM unnest(${types.map((type, i) => `$${firstParameter + i}::${type}[]`).join(', ')})`,
    parameters: [
      entries.map((e) => e.actor),
      entries.map((e) => e.tokenId),
      entries.map((e) => e.action),
      entries.map((e) => e.target),
      entries.map((e) => e.namespace),
      entries.map((e) => e.outcome),
      entries.map((e) => e.statusCode),
      entries.map((e) => e.message),
    ],
  };
}
