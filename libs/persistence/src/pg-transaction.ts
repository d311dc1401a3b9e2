import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryConfig, QueryResult } from 'pg';
import type { DataSource } from 'typeorm';
import type { Queryable } from './queryable';

/**
 * Statements each connection keeps prepared. The engine's texts come from a
 * fixed set of templates (arrays, never a VALUES list per row), so a few dozen
 * cover every hop; the cap only guards the server's memory against a caller
 * that builds texts per call, which then go unnamed.
 */
export const PREPARED_PER_CONNECTION = 256;

const prepared = new WeakMap<PoolClient, Set<string>>();

/**
 * The engine's transactions run straight on a pooled `pg` client. TypeORM's
 * per-statement wrapping (query runner, logger, broadcaster) was a fifth of a
 * hop's scheduler CPU, and the engine only ever sends raw SQL. Answers keep
 * TypeORM's shape (`[rows, rowCount]` for UPDATE and DELETE) so every
 * repository works the same on both.
 *
 * Statements are sent as named prepared statements: PostgreSQL then parses
 * each text once per connection instead of on every call, which was a quarter
 * of the database's time per chain hop (the hop's CTE statements are long).
 */
export class PgTransaction implements Queryable {
  constructor(private readonly client: PoolClient) {}

  async query<T = any>(sql: string, parameters?: unknown[]): Promise<T> {
    const result: QueryResult = await this.client.query(preparedOn(this.client, sql, parameters));
    return (result.command === 'UPDATE' || result.command === 'DELETE' ? [result.rows, result.rowCount] : result.rows) as T;
  }
}

/** A name derived from the text, so every connection prepares a text under the same name, once. */
function preparedOn(client: PoolClient, text: string, values: unknown[] | undefined): QueryConfig {
  let names = prepared.get(client);
  if (!names) prepared.set(client, (names = new Set()));
  const name = `flowctl_${createHash('sha1').update(text).digest('base64url')}`;
  if (!names.has(name)) {
    if (names.size >= PREPARED_PER_CONNECTION) return { text, values };
    names.add(name);
  }
  return { name, text, values };
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
