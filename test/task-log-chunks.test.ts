import { Client } from 'pg';
import type { QueryRunner } from 'typeorm';
import { TaskLogRepository, type NewTaskLogLine, type Queryable } from '@flowctl/persistence';
import { MIGRATIONS } from '../libs/persistence/src/migrations';
import { createTestDatabase, type TestDatabase } from './support/test-database';

jest.setTimeout(60_000);

const RUN_ID = '00000000-0000-4000-8000-000000000001';

/**
 * Task log lines stored in chunks (migration 18): the old rows moved, pages read across chunk
 * boundaries from any seq, the cap trimming whole chunks, all against the repository on a real
 * PostgreSQL. The HTTP and SSE behaviour on top is test/task-logs.test.ts's.
 */
describe('task log chunks', () => {
  let database: TestDatabase;
  let client: Client;
  let db: Queryable;
  const repository = new TaskLogRepository();

  const migrate = async (migrations: readonly (typeof MIGRATIONS)[number][]) => {
    const runner = { query: (sql: string, parameters?: unknown[]) => client.query(sql, parameters) } as unknown as QueryRunner;
    for (const Migration of migrations) await new Migration().up(runner);
  };

  const storedLines = async (taskRunId: number, attempt: number) =>
    (
      await client.query<{ seq: string; message: string }>(
        `SELECT l.seq::text AS seq, l.message FROM task_logs l WHERE l.task_run_id = $1 AND l.attempt = $2 ORDER BY l.seq`,
        [taskRunId, attempt],
      )
    ).rows.map((row) => [Number(row.seq), row.message]);

  beforeAll(async () => {
    database = await createTestDatabase('task_log_chunks');
    client = new Client({ connectionString: database.url });
    await client.connect();
    db = { query: async (sql: string, parameters?: unknown[]) => (await client.query(sql, parameters as unknown[])).rows } as Queryable;
    const chunks = MIGRATIONS.findIndex((Migration) => new Migration().name === 'TaskLogChunks1700000000018');
    await migrate(MIGRATIONS.slice(0, chunks));
    // Rows as migration 12 stored them: 250 lines of one attempt, and a second attempt whose seqs have a gap (a trim).
    await client.query(`
      INSERT INTO task_logs (task_run_id, attempt, seq, ts, level, stream, message)
      SELECT 1, 1, g, timestamptz '2026-01-01T00:00:00Z' + g * interval '1 millisecond', 'info', 'stdout', 'old line ' || g
        FROM generate_series(1, 250) g`);
    await client.query(`
      INSERT INTO task_logs (task_run_id, attempt, seq, ts, level, stream, message)
      SELECT 1, 2, g, timestamptz '2026-01-01T00:00:00Z', 'info', 'log', 'gap ' || g FROM generate_series(1, 3) g UNION ALL
      SELECT 1, 2, g, timestamptz '2026-01-01T00:00:00Z', CASE WHEN g = 10 THEN 'warn' ELSE 'info' END, CASE WHEN g = 10 THEN 'system' ELSE 'log' END, 'gap ' || g
        FROM generate_series(10, 12) g`);
    await migrate(MIGRATIONS.slice(chunks));
    // The task runs the appends name; without their run and workflow, which the foreign keys would ask for.
    await client.query(`SET session_replication_role = replica`);
    await client.query(
      `INSERT INTO task_runs (id, run_id, name, type, status, attempt) VALUES (1, $1, 'old', 'noop', 'succeeded', 2), (2, $1, 'long', 'noop', 'running', 1), (3, $1, 'loud', 'noop', 'running', 1)`,
      [RUN_ID],
    );
  });

  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('moves the old rows into chunks of consecutive seqs, the same lines through the task_logs view and the pages', async () => {
    expect(await storedLines(1, 1)).toEqual(Array.from({ length: 250 }, (_, i) => [i + 1, `old line ${i + 1}`]));
    const chunks = await client.query(
      `SELECT first_seq::int, last_seq::int FROM task_log_chunks WHERE task_run_id = 1 ORDER BY attempt, first_seq`,
    );
    expect(chunks.rows.map((row) => [row.first_seq, row.last_seq])).toEqual([
      [1, 99],
      [100, 199],
      [200, 250],
      [1, 3],
      [10, 12],
    ]);
    const page = await repository.page(db, '1', 1, 95, 10);
    expect(page.map((row) => row.seq)).toEqual([96, 97, 98, 99, 100, 101, 102, 103, 104, 105]);
    expect(page[0]).toEqual({ seq: 96, ts: new Date('2026-01-01T00:00:00.096Z'), level: 'info', stream: 'stdout', message: 'old line 96' });
    expect((await repository.page(db, '1', 2, 0, 100)).map((row) => [row.seq, row.level, row.stream])).toEqual([
      [1, 'info', 'log'],
      [2, 'info', 'log'],
      [3, 'info', 'log'],
      [10, 'warn', 'system'],
      [11, 'info', 'log'],
      [12, 'info', 'log'],
    ]);
  });

  it('stores a batch as chunks and pages through them from any seq', async () => {
    const line = (i: number): NewTaskLogLine => ({
      ts: Date.UTC(2026, 0, 2) + i,
      level: 'info',
      stream: 'log',
      message: `line ${i}`,
      bytes: 0,
    });
    const batch = (from: number, count: number) => Array.from({ length: count }, (_, i) => line(from + i));
    await repository.append(db, [{ runId: RUN_ID, taskRunId: '2', attempt: 1, lines: batch(1, 2_500) }], 10 * 1024 * 1024);
    await repository.append(db, [{ runId: RUN_ID, taskRunId: '2', attempt: 1, lines: batch(2_501, 3) }], 10 * 1024 * 1024);
    const chunks = await client.query(`SELECT count(*)::int AS n FROM task_log_chunks WHERE task_run_id = 2`);
    expect(chunks.rows[0].n).toBe(4);
    const messages = async (after: number, limit: number) => (await repository.page(db, '2', 1, after, limit)).map((row) => row.message);
    expect(await messages(998, 4)).toEqual(['line 999', 'line 1000', 'line 1001', 'line 1002']);
    expect(await messages(2_499, 10)).toEqual(['line 2500', 'line 2501', 'line 2502', 'line 2503']);
    expect(await messages(0, 5_000)).toEqual(Array.from({ length: 2_503 }, (_, i) => `line ${i + 1}`));
    expect(await messages(2_503, 10)).toEqual([]);
    expect((await repository.page(db, '2', 1, 0, 1))[0]!.ts).toEqual(new Date(Date.UTC(2026, 0, 2) + 1));
  });

  it('trims whole chunks past the cap, keeping the newest lines after one note that counts the dropped', async () => {
    const limit = 8 * 1024;
    const text = (i: number) => `${String(i).padStart(5, '0')} ${'x'.repeat(94)}`;
    for (let from = 1; from <= 400; from += 40) {
      const lines = Array.from({ length: 40 }, (_, i) => ({
        ts: Date.now(),
        level: 'info' as const,
        stream: 'stdout' as const,
        message: text(from + i),
        bytes: 100,
      }));
      await repository.append(db, [{ runId: RUN_ID, taskRunId: '3', attempt: 1, lines }], limit);
    }
    const page = await repository.page(db, '3', 1, 0, 1_000);
    const [note, ...kept] = page;
    expect(note).toMatchObject({
      level: 'warn',
      stream: 'system',
      message: expect.stringMatching(/^\d+ earlier lines dropped: this attempt's log keeps its latest 8 KiB$/),
    });
    const dropped = Number(/^(\d+)/.exec(note!.message)![1]);
    expect(kept.map((row) => row.message)).toEqual(Array.from({ length: 400 - dropped }, (_, i) => text(dropped + i + 1)));
    expect(kept[0]!.seq).toBe(note!.seq + 1);
    const tally = await repository.tally(db, '3', 1);
    const stored = await client.query(`SELECT sum(bytes)::int AS bytes FROM task_log_chunks WHERE task_run_id = 3`);
    expect(tally!.bytes).toBe(stored.rows[0].bytes);
    expect(tally!.bytes).toBeLessThanOrEqual(limit);
    expect(tally!.dropped).toBe(dropped);
  });

  it('replaces a note that alone must go with a new one under the same seq', async () => {
    // A 200-byte cap keeps 150: a note of about 65 bytes is then a large part of what is kept.
    const limit = 200;
    await client.query(`INSERT INTO task_runs (id, run_id, name, type, status, attempt) VALUES (4, $1, 'tiny', 'noop', 'running', 1)`, [
      RUN_ID,
    ]);
    const append = (message: string) =>
      repository.append(
        db,
        [
          {
            runId: RUN_ID,
            taskRunId: '4',
            attempt: 1,
            lines: [{ ts: Date.now(), level: 'info', stream: 'log', message, bytes: message.length }],
          },
        ],
        limit,
      );
    await append('a'.repeat(150));
    await append('b'.repeat(100));
    const note = /^1 earlier lines dropped: this attempt's log keeps its latest 200 bytes$/;
    expect((await repository.page(db, '4', 1, 0, 10)).map((row) => [row.seq, row.message])).toEqual([
      [1, expect.stringMatching(note)],
      [2, 'b'.repeat(100)],
    ]);
    // Over the cap again, and the note is all that the cut reaches: it goes, and its successor takes its seq.
    await append('c'.repeat(40));
    expect((await repository.page(db, '4', 1, 0, 10)).map((row) => [row.seq, row.message])).toEqual([
      [1, expect.stringMatching(note)],
      [2, 'b'.repeat(100)],
      [3, 'c'.repeat(40)],
    ]);
    const stored = await client.query(`SELECT sum(bytes)::int AS bytes FROM task_log_chunks WHERE task_run_id = 4`);
    expect(await repository.tally(db, '4', 1)).toEqual({ lines: 3, bytes: stored.rows[0].bytes, dropped: 1 });
  });

  it('deletes the chunks with their run', async () => {
    await repository.deleteOfRuns(db, [RUN_ID]);
    const left = await client.query(`SELECT count(*)::int AS n FROM task_log_chunks WHERE task_run_id IN (2, 3, 4)`);
    expect(left.rows[0].n).toBe(0);
  });
});
