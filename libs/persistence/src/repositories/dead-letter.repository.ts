import type { Statement } from '../statement';
import type { TaskFailure } from '@flowctl/core';
import { queryRows, type Queryable } from '../queryable';

export interface DeadLetterRow {
  id: string;
  taskRunId: string;
  runId: string;
  namespace: string;
  workflowName: string;
  task: string;
  type: string;
  attempt: number;
  error: TaskFailure | null;
  input: unknown;
  deadAt: Date;
  requeuedAt: Date | null;
}

export type NewDeadLetter = Omit<DeadLetterRow, 'id' | 'deadAt' | 'requeuedAt'>;

const COLUMNS = `id, task_run_id AS "taskRunId", run_id AS "runId", namespace, workflow_name AS "workflowName", task, type, attempt, error, input,
  dead_at AS "deadAt", requeued_at AS "requeuedAt"`;

export class DeadLetterRepository {
  addStatement(letters: readonly NewDeadLetter[]): Statement | undefined {
    if (letters.length === 0) return undefined;
    return {
      sql: `INSERT INTO dead_letters (task_run_id, run_id, namespace, workflow_name, task, type, attempt, error, input)
       SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::jsonb[], $9::jsonb[])`,
      parameters: [
        letters.map((l) => l.taskRunId),
        letters.map((l) => l.runId),
        letters.map((l) => l.namespace),
        letters.map((l) => l.workflowName),
        letters.map((l) => l.task),
        letters.map((l) => l.type),
        letters.map((l) => l.attempt),
        letters.map((l) => JSON.stringify(l.error)),
        letters.map((l) => JSON.stringify(l.input ?? null)),
      ],
    };
  }

  /**
   * Open letters only (not yet requeued), newest first, keyset-paginated. The
   * boundary is the cursor letter's own dead_at (microseconds), read by id: the
   * cursor's millisecond time would skip letters of the same millisecond, such
   * as the others written by the same transaction.
   */
  async list(
    db: Queryable,
    options: { namespaces?: readonly string[]; workflow?: string; type?: string; before?: { deadAt: string; id: string }; limit: number },
  ): Promise<DeadLetterRow[]> {
    return queryRows<DeadLetterRow>(
      db,
      `SELECT ${COLUMNS} FROM dead_letters
        WHERE requeued_at IS NULL AND ($1::text[] IS NULL OR namespace = ANY($1)) AND ($2::text IS NULL OR workflow_name = $2)
          AND ($3::text IS NULL OR type = $3) AND ($4::timestamptz IS NULL OR (dead_at, id) < (COALESCE((SELECT dead_at FROM dead_letters WHERE id = $5::bigint), $4), $5::bigint))
        ORDER BY dead_at DESC, id DESC LIMIT $6`,
      [
        options.namespaces ?? null,
        options.workflow ?? null,
        options.type ?? null,
        options.before?.deadAt ?? null,
        options.before?.id ?? null,
        options.limit,
      ],
    );
  }

  async lock(tx: Queryable, id: string): Promise<DeadLetterRow | undefined> {
    const [row] = await queryRows<DeadLetterRow>(tx, `SELECT ${COLUMNS} FROM dead_letters WHERE id = $1 FOR UPDATE`, [id]);
    return row;
  }

  async find(db: Queryable, id: string): Promise<DeadLetterRow | undefined> {
    const [row] = await queryRows<DeadLetterRow>(db, `SELECT ${COLUMNS} FROM dead_letters WHERE id = $1`, [id]);
    return row;
  }

  /** A task that leaves the dead state for any reason (requeue, run retry) closes its open letters. */
  async closeForTasks(tx: Queryable, taskRunIds: readonly string[]): Promise<void> {
    if (taskRunIds.length === 0) return;
    await tx.query(`UPDATE dead_letters SET requeued_at = now() WHERE task_run_id = ANY($1::bigint[]) AND requeued_at IS NULL`, [
      taskRunIds,
    ]);
  }
}
