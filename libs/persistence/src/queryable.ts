import type { Statement } from './statement';

/** Anything that runs SQL: the DataSource, or the EntityManager of an open transaction. */
export interface Queryable {
  query<T = any>(sql: string, parameters?: unknown[]): Promise<T>;
  /**
   * Only on an engine transaction (PgTransaction): hold a write whose answer nobody reads for the
   * round trip of the COMMIT (or of the next statement, which then comes after it).
   */
  sendWithCommit?(statement: Statement): void;
}

/** Sends a built statement, if there is one (builders answer undefined when there is nothing to write). */
export async function execute(db: Queryable, statement: Statement | undefined): Promise<void> {
  if (statement) await db.query(statement.sql, statement.parameters);
}

/** The one timestamp a `SELECT min(...) AS at` answers: when a leader timer is next due, or null. */
export async function queryEarliest(db: Queryable, sql: string, parameters: unknown[] = []): Promise<Date | null> {
  const [row] = await queryRows<{ at: Date | null }>(db, sql, parameters);
  return row?.at ?? null;
}

/**
 * Rows of any statement. TypeORM answers UPDATE and DELETE (also behind a WITH)
 * with `[rows, rowCount]` and everything else with the rows. Rows are objects,
 * never arrays, so the shape itself tells which answer this is.
 */
export async function queryRows<T>(db: Queryable, sql: string, parameters: unknown[] = []): Promise<T[]> {
  const result = await db.query<unknown>(sql, parameters);
  return isRowsAndCount(result) ? (result[0] as T[]) : (result as T[]);
}

function isRowsAndCount(result: unknown): result is [unknown[], number] {
  return Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number';
}
