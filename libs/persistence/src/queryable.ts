/** Anything that runs SQL: the DataSource, or the EntityManager of an open transaction. */
export interface Queryable {
  query<T = any>(sql: string, parameters?: unknown[]): Promise<T>;
}

const MUTATION = /^\s*(UPDATE|DELETE)\b/i;

/**
 * Rows of any statement. TypeORM answers `UPDATE/DELETE ... RETURNING` with
 * `[rows, rowCount]` and everything else with the rows, so normalise it here
 * rather than at every call site.
 */
/** The one timestamp a `SELECT min(...) AS at` answers: when a leader timer is next due, or null. */
export async function queryEarliest(db: Queryable, sql: string, parameters: unknown[] = []): Promise<Date | null> {
  const [row] = await queryRows<{ at: Date | null }>(db, sql, parameters);
  return row?.at ?? null;
}

export async function queryRows<T>(db: Queryable, sql: string, parameters: unknown[] = []): Promise<T[]> {
  const result = await db.query<unknown>(sql, parameters);
  if (MUTATION.test(sql)) return (result as [T[], number])[0];
  return result as T[];
}
