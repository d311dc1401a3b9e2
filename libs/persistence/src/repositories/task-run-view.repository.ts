import { TASK_STATUSES, type TaskStatus } from '@flowctl/core';
import { queryRows, type Queryable } from '../queryable';
import { TASK_COLUMNS, type TaskRunRow } from './task-run-row';

/**
 * Whether a jsonb column is stored larger than $4 bytes: PostgreSQL's stored size, after compression, read
 * without decompressing. Measuring the JSON text instead would serialise every large value on every page.
 */
const LARGE = (column: string, limit = '$4') => `(pg_column_size(${column}) > ${limit})`;

/** TASK_COLUMNS of a subquery `t` that computed input_large/output_large: those values come as null, flagged. */
const cappedColumns = () =>
  `${TASK_COLUMNS.replace('input,', 'CASE WHEN t.input_large THEN NULL ELSE input END AS input,').replace(
    'output,',
    'CASE WHEN t.output_large THEN NULL ELSE output END AS output,',
  )}, t.input_large AS "inputTruncated", t.output_large AS "outputTruncated"`;

/**
 * Instance statuses as one letter each: 'A' + the status's place in TASK_STATUSES
 * (A pending, B queued, C running, ...). What instanceStatusLetters answers.
 */
export const instanceStatusOfLetter = (letter: string): TaskStatus | undefined => TASK_STATUSES[letter.charCodeAt(0) - 65];

/**
 * Task runs as the API and the dashboard read them: one task by name, pages of a run's tasks and of a
 * fan-out's instances with large values left out, and instance statuses as letters. Nothing here locks
 * or writes; the engine reads through TaskRunRepository.
 */
export class TaskRunViewRepository {
  async find(db: Queryable, runId: string, name: string): Promise<TaskRunRow | undefined> {
    const [row] = await queryRows<TaskRunRow>(db, `SELECT ${TASK_COLUMNS} FROM task_runs WHERE run_id = $1 AND name = $2`, [runId, name]);
    return row;
  }

  /** Only where a task run's current attempt stands: what a live log stream re-reads to know when to end. */
  async findAttemptState(db: Queryable, id: string): Promise<{ status: TaskStatus; attempt: number } | undefined> {
    const [row] = await queryRows<{ status: TaskStatus; attempt: number }>(db, `SELECT status, attempt FROM task_runs WHERE id = $1`, [id]);
    return row;
  }

  /**
   * A page of a run's tasks. With `maxValueBytes`, an input or output stored
   * larger than that is left out (null, flagged truncated): a fan-out's list of
   * 100,000 outputs would otherwise be parsed and sent with every page, and the
   * task's own endpoint serves it whole.
   */
  async forRun(db: Queryable, runId: string, options: { afterId?: string; limit: number; maxValueBytes?: number }): Promise<TaskRunRow[]> {
    const columns = options.maxValueBytes === undefined ? TASK_COLUMNS : cappedColumns();
    return queryRows<TaskRunRow>(
      db,
      // Along task_runs_by_run (run_id, id) whatever the statistics say, so any page of a 100,000-task
      // run reads just that page (see the function's migration).
      options.maxValueBytes === undefined
        ? `SELECT ${columns} FROM flowctl_run_task_page($1, $2, $3)`
        : `SELECT ${columns} FROM (SELECT p.*, ${LARGE('input')} AS input_large, ${LARGE('output')} AS output_large
                                    FROM flowctl_run_task_page($1, $2, $3) p) t`,
      [runId, options.afterId ?? '0', options.limit, ...(options.maxValueBytes === undefined ? [] : [options.maxValueBytes])],
    );
  }

  /**
   * A run's tasks that are not forEach instances (the workflow's own tasks, at most its task limit),
   * in id order, with large values capped as in forRun. Live views read these whole and the instances
   * as counts: a 100,000-instance run then costs its few template rows, not 100,000.
   */
  async plainTasks(db: Queryable, runId: string, options: { maxValueBytes: number }): Promise<TaskRunRow[]> {
    return queryRows<TaskRunRow>(
      db,
      `SELECT ${cappedColumns()} FROM (SELECT p.*, ${LARGE('input', '$2')} AS input_large, ${LARGE('output', '$2')} AS output_large
                                         FROM flowctl_run_plain_tasks($1) p) t
        ORDER BY t.id`,
      [runId, options.maxValueBytes],
    );
  }

  /**
   * The status of every instance of a fan-out task, in item order, one letter each (see
   * INSTANCE_STATUS_LETTERS): 100,000 instances come back as one 100 kB string rather than as
   * 100,000 rows.
   */
  async instanceStatusLetters(db: Queryable, parentId: string): Promise<string> {
    const [row] = await queryRows<{ letters: string | null }>(db, `SELECT flowctl_instance_status_letters($1, $2::text[]) AS letters`, [
      parentId,
      TASK_STATUSES,
    ]);
    return row?.letters ?? '';
  }

  /** A page of a fan-out task's instances in item order, optionally of one status, with large values capped. */
  async instancePage(
    db: Queryable,
    parentId: string,
    options: { afterIndex?: number; limit: number; status?: TaskStatus; maxValueBytes: number },
  ): Promise<TaskRunRow[]> {
    return queryRows<TaskRunRow>(
      db,
      // Along task_runs_instances (parent_task_run_id, item_index): a page reads just that page, or,
      // filtered by a rare status, scans the instances once without sorting them.
      `SELECT ${cappedColumns()} FROM (SELECT p.*, ${LARGE('input')} AS input_large, ${LARGE('output')} AS output_large
                                         FROM task_runs p
                                        WHERE p.parent_task_run_id = $1 AND p.item_index > $2 AND ($3::text IS NULL OR p.status = $3)
                                        ORDER BY p.item_index LIMIT $5) t
        ORDER BY t.item_index`,
      [parentId, options.afterIndex ?? -1, options.status ?? null, options.maxValueBytes, options.limit],
    );
  }
}
