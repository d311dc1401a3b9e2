import { Pool } from 'pg';
import { inPgTransaction, PREPARED_PER_CONNECTION } from '@flowctl/persistence';
import { ADMIN_DATABASE_URL } from './support/test-database';

jest.setTimeout(30_000);

interface PreparedRow {
  statement: string;
  executions: number;
}

/** The engine's transactions send named statements: each text is parsed once per connection, never per call. */
describe('engine transactions on a pooled pg client', () => {
  let pool: Pool;

  beforeEach(() => {
    // One connection, so every transaction of a test meets the statements the earlier ones prepared.
    pool = new Pool({ connectionString: ADMIN_DATABASE_URL, max: 1, application_name: 'flowctl-test-pg-transaction' });
  });

  afterEach(async () => {
    await pool.end();
  });

  /** Asked outside a transaction, as an unnamed statement, on the pool's one connection. */
  const prepared = async () =>
    (
      await pool.query<PreparedRow>(
        `SELECT statement, (generic_plans + custom_plans)::int AS executions FROM pg_prepared_statements WHERE name LIKE 'flowctl\\_%'`,
      )
    ).rows;

  it('prepares a text once and runs it again by name', async () => {
    const sql = 'SELECT $1::int + 1 AS n';
    for (const value of [1, 41]) {
      expect(await inPgTransaction(pool, (tx) => tx.query(sql, [value]))).toEqual([{ n: value + 1 }]);
    }
    expect(await prepared()).toEqual([{ statement: sql, executions: 2 }]);
  });

  it('answers after a statement failed, whether it failed when run or when parsed', async () => {
    const divide = 'SELECT 10 / $1::int AS n';
    await expect(inPgTransaction(pool, (tx) => tx.query(divide, [0]))).rejects.toThrow(/division by zero/);
    expect(await inPgTransaction(pool, (tx) => tx.query(divide, [5]))).toEqual([{ n: 2 }]);

    const misspelt = 'SELEC $1::int';
    for (let i = 0; i < 2; i++) await expect(inPgTransaction(pool, (tx) => tx.query(misspelt, [1]))).rejects.toThrow(/syntax error/);
    expect((await prepared()).map((row) => row.statement)).toEqual([divide]);
  });

  it('keeps at most PREPARED_PER_CONNECTION statements on a connection and sends the rest unnamed', async () => {
    const texts = Array.from({ length: PREPARED_PER_CONNECTION + 5 }, (_, i) => `SELECT $1::int + ${i} AS n`);
    const answers = await inPgTransaction(pool, async (tx) => {
      const rows: unknown[] = [];
      for (const text of texts) rows.push(...(await tx.query<unknown[]>(text, [1])));
      return rows;
    });
    expect(answers).toEqual(texts.map((_, i) => ({ n: i + 1 })));
    expect(await prepared()).toHaveLength(PREPARED_PER_CONNECTION);
  });
});
