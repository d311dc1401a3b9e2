import type { Pool, PoolClient, QueryResult } from 'pg';
import type { DataSource } from 'typeorm';
import type { Queryable } from './queryable';

/**
 * The engine's transactions run straight on a pooled `pg` client. TypeORM's
 * per-statement wrapping (query runner, logger, broadcaster) was a fifth of a
 * hop's scheduler CPU, and the engine only ever sends raw SQL. Answers keep
 * TypeORM's shape (`[rows, rowCount]` for UPDATE and DELETE) so every
 * repository works the same on both.
 */
export class PgTransaction implements Queryable {
  constructor(private readonly client: PoolClient) {}

  async query<T = any>(sql: string, parameters?: unknown[]): Promise<T> {
    const result: QueryResult = await this.client.query(sql, parameters as unknown[]);
    return (result.command === 'UPDATE' || result.command === 'DELETE' ? [result.rows, result.rowCount] : result.rows) as T;
  }
}

/** The pool TypeORM opened: one set of connections for the API and the engine. */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

/** BEGIN, the work, COMMIT; ROLLBACK on any error. A client whose ROLLBACK failed is discarded, not reused. */
export async function inPgTransaction<T>(pool: Pool, work: (tx: PgTransaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      const result = await work(new PgTransaction(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    }
  } finally {
    client.release(broken);
  }
}
