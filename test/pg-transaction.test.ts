import { Pool } from 'pg';
import {
  FIRST_PLAN_REFRESH_AFTER,
  inPgTransaction,
  isFailureBeforeCommit,
  PooledStatements,
  PREPARED_PER_CONNECTION,
} from '@flowctl/persistence';
import { ADMIN_DATABASE_URL } from './support/test-database';

jest.setTimeout(30_000);

interface PreparedRow {
  statement: string;
  executions: number;
}

/** The engine's transactions send named statements: each text is parsed once per connection, never per call. */
describe('engine transactions on a pooled pg client', () => {
  let pool: Pool;
  /** ReadyForQuery messages seen on the pool's connection: one per round trip. */
  let roundTrips: number;

  beforeEach(() => {
    // One connection, so every transaction of a test meets the statements the earlier ones prepared.
    pool = new Pool({ connectionString: ADMIN_DATABASE_URL, max: 1, application_name: 'flowctl-test-pg-transaction' });
    roundTrips = 0;
    pool.on('connect', (client) => {
      (client as unknown as { connection: NodeJS.EventEmitter }).connection.on('readyForQuery', () => (roundTrips += 1));
    });
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

  it('refreshes plans outside the transaction, so one that opens with SET TRANSACTION ISOLATION LEVEL still can', async () => {
    // The refresh falls due on the connection's FIRST_PLAN_REFRESH_AFTER-th transaction: this one.
    for (let i = 1; i < FIRST_PLAN_REFRESH_AFTER; i++) await inPgTransaction(pool, (tx) => tx.query('SELECT 1'));
    const isolation = await inPgTransaction(pool, async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      return tx.query<{ level: string }[]>('SELECT current_setting($1) AS level', ['transaction_isolation']);
    });
    expect(isolation).toEqual([{ level: 'repeatable read' }]);
  });

  it('makes its plans again as its work doubles, so a plan made for a small table does not outlive it', async () => {
    // PostgreSQL runs a prepared statement on its cached generic plan once that looks no worse than
    // planning each call, as it did for the engine's batch updates; here it is told to, so the test
    // does not hang on that estimate.
    await pool.query('SET plan_cache_mode = force_generic_plan');
    await pool.query('CREATE TEMP TABLE grown (id bigint PRIMARY KEY, n int NOT NULL)');
    await pool.query('INSERT INTO grown SELECT i, 0 FROM generate_series(1, 500) AS i');
    const bump = 'UPDATE grown t SET n = t.n + 1 FROM unnest($1::bigint[]) AS u(id) WHERE t.id = u.id';
    const run = () => inPgTransaction(pool, (tx) => tx.query(bump, [[1, 2]]));
    /** The plan the connection runs `bump` with: the generic plan it has cached. */
    const plan = async () => {
      const [statement] = (await pool.query<{ name: string }>('SELECT name FROM pg_prepared_statements WHERE statement = $1', [bump])).rows;
      if (!statement) throw new Error('the statement is not prepared on the connection');
      const explained = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE "${statement.name}"('{1,2}')`);
      return explained.rows.map((row) => row['QUERY PLAN']).join('\n');
    };
    await run();
    // Made for 500 rows: hashing a scan of the whole table is cheapest.
    expect(await plan()).toMatch(/Seq Scan on grown/);

    await pool.query('INSERT INTO grown SELECT i, 0 FROM generate_series(501, 100000) AS i');
    for (let i = 1; i < FIRST_PLAN_REFRESH_AFTER - 1; i++) await run();
    // The table grew 200-fold, and nothing told PostgreSQL (no ANALYZE): the plan still scans it all.
    expect(await plan()).toMatch(/Seq Scan on grown/);
    await run(); // the connection's FIRST_PLAN_REFRESH_AFTER-th transaction: its plans are dropped first
    const replanned = await plan();
    expect(replanned).toMatch(/Index Scan using grown_pkey/);
    expect(replanned).not.toMatch(/Seq Scan/);
    expect((await pool.query('SELECT n FROM grown WHERE id = 1')).rows).toEqual([{ n: FIRST_PLAN_REFRESH_AFTER }]);
  });

  describe('statements that commit on their own (PooledStatements)', () => {
    it('prepares a text once, answers as TypeORM does, and commits each statement', async () => {
      const statements = new PooledStatements(pool);
      await pool.query(`CREATE TEMP TABLE pooled (n int)`);
      const insert = 'INSERT INTO pooled (n) SELECT unnest($1::int[]) RETURNING n';
      expect(await statements.query(insert, [[1, 2]])).toEqual([{ n: 1 }, { n: 2 }]);
      expect(await statements.query(insert, [[3]])).toEqual([{ n: 3 }]);
      expect(await statements.query('UPDATE pooled SET n = n * 10 WHERE n > $1 RETURNING n', [1])).toEqual([[{ n: 20 }, { n: 30 }], 2]);
      expect(await prepared()).toEqual(
        expect.arrayContaining([
          { statement: insert, executions: 2 },
          { statement: 'UPDATE pooled SET n = n * 10 WHERE n > $1 RETURNING n', executions: 1 },
        ]),
      );
      // No transaction is left open around them: another session sees nothing, this one sees every row.
      expect((await pool.query(`SELECT count(*)::int AS n, now() = statement_timestamp() AS fresh FROM pooled`)).rows).toEqual([
        { n: 3, fresh: true },
      ]);
    });

    it('keeps its connection after an error the server answered, and drops one that broke', async () => {
      // The pool hears the ended connection's late error, as TypeORM's pool does with its handler.
      pool.on('error', () => undefined);
      const statements = new PooledStatements(pool);
      const backend = async () => (await statements.query<{ pid: number }[]>('SELECT pg_backend_pid() AS pid'))[0]!.pid;
      const first = await backend();
      await expect(statements.query('SELECT 10 / $1::int AS n', [0])).rejects.toThrow(/division by zero/);
      expect(await backend()).toBe(first);
      // Its own connection ends under it: the error is the caller's, and the next statement gets a new one.
      await expect(statements.query('SELECT pg_terminate_backend(pg_backend_pid())')).rejects.toThrow();
      expect(await backend()).not.toBe(first);
    });
  });

  describe('BEGIN with the first statement, the last writes with the COMMIT', () => {
    // Temporary tables live on the pool's one connection, so every transaction of a test sees them.
    beforeEach(async () => {
      await pool.query('CREATE TEMP TABLE item (id int PRIMARY KEY, note text)');
      await pool.query('CREATE TEMP TABLE late (id int PRIMARY KEY DEFERRABLE INITIALLY DEFERRED)');
    });
    const items = async () => (await pool.query<{ id: number; note: string }>('SELECT id, note FROM item ORDER BY id')).rows;
    const insert = (id: number, note = 'x') => ({ sql: 'INSERT INTO item (id, note) VALUES ($1, $2)', parameters: [id, note] });

    it('costs one round trip per statement: BEGIN and COMMIT travel with the work', async () => {
      const before = roundTrips;
      const answer = await inPgTransaction(pool, async (tx) => {
        const rows = await tx.query<{ n: number }[]>('SELECT $1::int AS n', [7]);
        tx.sendWithCommit(insert(rows[0]!.n, 'held'));
        return rows;
      });
      expect(answer).toEqual([{ n: 7 }]);
      expect(roundTrips - before).toBe(2);
      expect(await items()).toEqual([{ id: 7, note: 'held' }]);
      // A transaction that sent nothing costs nothing.
      const idle = roundTrips;
      await inPgTransaction(pool, async () => undefined);
      expect(roundTrips).toBe(idle);
    });

    it('sends a held write before the next statement, which sees it', async () => {
      const seen = await inPgTransaction(pool, async (tx) => {
        tx.sendWithCommit(insert(1));
        tx.sendWithCommit(insert(2));
        return tx.query<{ n: number }[]>('SELECT count(*)::int AS n FROM item');
      });
      expect(seen).toEqual([{ n: 2 }]);
      expect(await items()).toHaveLength(2);
    });

    it('rolls back when a held write fails, and says the COMMIT never ran', async () => {
      await pool.query('INSERT INTO item (id, note) VALUES (1, $1)', ['kept']);
      const failure = await inPgTransaction(pool, async (tx) => {
        await tx.query('INSERT INTO item (id, note) VALUES (2, $1)', ['lost']);
        tx.sendWithCommit(insert(1, 'duplicate'));
      }).catch((error: unknown) => error);
      expect(String(failure)).toMatch(/duplicate key/);
      expect(isFailureBeforeCommit(failure)).toBe(true);
      expect(await items()).toEqual([{ id: 1, note: 'kept' }]);
      // The connection is clean again for the next transaction.
      await inPgTransaction(pool, async (tx) => tx.sendWithCommit(insert(3)));
      expect((await items()).map((row) => row.id)).toEqual([1, 3]);
    });

    it('says the COMMIT never ran when a held write has a value pg cannot send', async () => {
      const unsendable = {
        toPostgres() {
          throw new Error('no wire form');
        },
      };
      const failure = await inPgTransaction(pool, async (tx) => {
        await tx.query('SELECT 1');
        tx.sendWithCommit(insert(6));
        tx.sendWithCommit({ sql: 'INSERT INTO item (id, note) VALUES ($1, $2)', parameters: [7, unsendable] });
      }).catch((error: unknown) => error);
      expect(String(failure)).toMatch(/no wire form/);
      expect(isFailureBeforeCommit(failure)).toBe(true);
      expect(await items()).toEqual([]);
    });

    it('does not call a failure of the COMMIT itself a failure before it', async () => {
      const failure = await inPgTransaction(pool, async (tx) => {
        tx.sendWithCommit({ sql: 'INSERT INTO late (id) VALUES (1), (1)', parameters: [] });
      }).catch((error: unknown) => error);
      expect(String(failure)).toMatch(/duplicate key/);
      expect(isFailureBeforeCommit(failure)).toBe(false);
    });

    it("keeps pg's record of prepared statements true when a group fails part way", async () => {
      const count = 'SELECT count(*)::int AS n FROM item WHERE id > $1';
      const divide = 'SELECT 10 / $1::int AS n';
      // `count` is first parsed in a group with BEGIN, then run on its own and again in a group.
      await inPgTransaction(pool, async (tx) => {
        await tx.query(count, [0]);
        await tx.query(count, [0]);
        tx.sendWithCommit(insert(1));
      });
      // `divide` fails when run, in a group, after its Parse succeeded: prepared, usable again.
      await expect(inPgTransaction(pool, (tx) => tx.query(divide, [0]))).rejects.toThrow(/division by zero/);
      // A group whose first write fails: the named statement after it was never parsed.
      const skipped = 'SELECT $1::int * 3 AS n';
      await expect(
        inPgTransaction(pool, async (tx) => {
          tx.sendWithCommit(insert(1));
          return tx.query(skipped, [2]);
        }),
      ).rejects.toThrow(/duplicate key/);
      expect(await inPgTransaction(pool, (tx) => tx.query(skipped, [2]))).toEqual([{ n: 6 }]);
      expect(await inPgTransaction(pool, (tx) => tx.query(divide, [5]))).toEqual([{ n: 2 }]);
      expect(await inPgTransaction(pool, (tx) => tx.query(count, [0]))).toEqual([{ n: 1 }]);
      expect((await prepared()).map((row) => row.statement).sort()).toEqual([count, divide, skipped, insert(0).sql].sort());
    });
  });
});
