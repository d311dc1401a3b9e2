import { createHash } from 'node:crypto';
import { DatabaseError, type Pool, type PoolClient, type QueryConfig, type QueryResult } from 'pg';
import type { DataSource } from 'typeorm';
import type { Queryable } from './queryable';
import type { Statement } from './statement';
import { planRefreshFor } from './plan-refresh';
import { failedStatementOf, StatementGroup, type GroupedStatement } from './statement-group';

/** Errors of a write held for the COMMIT: the server skipped the COMMIT, so nothing was committed. */
const failedBeforeCommit = new WeakSet<object>();

/**
 * Whether `error`, thrown while a transaction committed, came from one of the writes sent with the
 * COMMIT (so the transaction certainly rolled back) rather than from the COMMIT itself (which may
 * have happened).
 */
export function isFailureBeforeCommit(error: unknown): boolean {
  return typeof error === 'object' && error !== null && failedBeforeCommit.has(error);
}

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
  /** Whether BEGIN has gone out: it travels with the first statement, so a transaction that sends none costs nothing. */
  private begun = false;
  /** Writes whose answers nobody reads, held to travel with the next statement or the COMMIT (see sendWithCommit). */
  private held: GroupedStatement[] = [];
  private sent = 0;

  constructor(private readonly client: PoolClient) {}

  /** Round trips to the server so far, the COMMIT's or ROLLBACK's included. */
  get roundTrips(): number {
    return this.sent;
  }

  async query<T = any>(sql: string, parameters?: unknown[]): Promise<T> {
    await this.refreshPlansIfDue();
    const statement = namedOn(this.client, sql, parameters);
    const before = this.take();
    this.sent += 1;
    const result: QueryResult =
      before.length === 0 ? await this.client.query(statement) : (await StatementGroup.send(this.client, [...before, statement])).at(-1)!;
    return answerOf(result) as T;
  }

  /**
   * Holds `statement` to go out in the same round trip as what comes next: the COMMIT, or the next
   * statement if there is one (before it, so that one sees its writes). For the last writes of a
   * transaction, whose answer nobody reads. If it fails, the server skips what follows it, and the
   * transaction rolls back as if the statement had been sent on its own.
   */
  sendWithCommit(statement: Statement): void {
    this.held.push(namedOn(this.client, statement.sql, statement.parameters));
  }

  /** @internal COMMIT, with what is held for it; nothing at all if no statement ever ran. */
  async commit(): Promise<void> {
    if (!this.begun && this.held.length === 0) return;
    await this.refreshPlansIfDue();
    const before = this.take();
    this.sent += 1;
    if (before.length === 0) {
      await this.client.query(COMMIT.text);
      return;
    }
    try {
      await StatementGroup.send(this.client, [...before, COMMIT]);
    } catch (error) {
      if ((failedStatementOf(error) ?? before.length) < before.length) failedBeforeCommit.add(error as object);
      throw error;
    }
  }

  /** @internal ROLLBACK, if BEGIN went out. */
  async rollback(): Promise<void> {
    this.held = [];
    if (!this.begun) return;
    this.sent += 1;
    await this.client.query('ROLLBACK');
  }

  /**
   * A due plan refresh goes out on its own, ahead of BEGIN: sent in BEGIN's group it would run inside
   * the transaction (a group is one implicit transaction until its Sync) and take its snapshot, and a
   * transaction that opens with SET TRANSACTION ISOLATION LEVEL (a run stream's) would then fail.
   */
  private async refreshPlansIfDue(): Promise<void> {
    if (this.begun) return;
    for (const statement of planRefreshFor(this.client)) {
      this.sent += 1;
      await this.client.query(statement.text);
    }
  }

  /** What must precede the next statement: BEGIN if it has not gone out, then the held writes. */
  private take(): GroupedStatement[] {
    const statements = this.begun ? this.held : [BEGIN, ...this.held];
    this.begun = true;
    this.held = [];
    return statements;
  }
}

/**
 * Statements that each commit on their own, straight on a pooled `pg` client and prepared by name, as
 * the engine's transactions send theirs: for the hot ones outside a transaction (accepting a burst of
 * events). Through TypeORM's DataSource each went unnamed, so PostgreSQL planned it on every call, and
 * was wrapped in a query runner of its own.
 */
export class PooledStatements implements Queryable {
  constructor(private readonly pool: Pool) {}

  async query<T = any>(sql: string, parameters?: unknown[]): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      const result: QueryResult = await client.query(namedOn(client, sql, parameters));
      return answerOf(result) as T;
    } catch (error) {
      // An error the server answered leaves the connection usable, unless it ended the session too.
      if (!(error instanceof DatabaseError) || error.severity === 'FATAL') broken = error as Error;
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/** TypeORM's shape, which every repository reads: `[rows, rowCount]` for UPDATE and DELETE, else the rows. */
function answerOf(result: QueryResult): unknown {
  return result.command === 'UPDATE' || result.command === 'DELETE' ? [result.rows, result.rowCount] : result.rows;
}

const BEGIN: GroupedStatement = { text: 'BEGIN' };
const COMMIT: GroupedStatement = { text: 'COMMIT' };

/**
 * Statement names by text, computed once per text: the engine's statements run several KB of SQL, hashed on every call
 * otherwise. Bounded like the connections' sets; past it a text is hashed each time, as before.
 */
const statementNames = new Map<string, string>();

const nameOf = (text: string): string => {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `flowctl_${createHash('sha1').update(text).digest('base64url')}`;
    if (statementNames.size < PREPARED_PER_CONNECTION) statementNames.set(text, name);
  }
  return name;
};

/** A name derived from the text, so every connection prepares a text under the same name, once. */
function namedOn(client: PoolClient, text: string, values: unknown[] | undefined): GroupedStatement & QueryConfig<unknown[]> {
  let names = prepared.get(client);
  if (!names) prepared.set(client, (names = new Set()));
  const name = nameOf(text);
  if (!names.has(name)) {
    if (names.size >= PREPARED_PER_CONNECTION) return { text, values: values ?? [] };
    names.add(name);
  }
  return { name, text, values: values ?? [] };
}

/** The pool TypeORM opened: one set of connections for the API and the engine. */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

/**
 * BEGIN, the work, COMMIT; ROLLBACK on any error. BEGIN rides with the first statement and COMMIT
 * with the last writes (PgTransaction.sendWithCommit), so a transaction of n statements costs n
 * round trips, not n + 2. A client whose ROLLBACK failed is discarded, not reused.
 */
export async function inPgTransaction<T>(pool: Pool, work: (tx: PgTransaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const tx = new PgTransaction(client);
  try {
    const result = await work(tx);
    await tx.commit();
    return result;
  } catch (error) {
    await tx.rollback().catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}
