import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Task log lines stored in chunks (see docs/adr/0014-task-logs.md): one row per attempt and shipped
 * batch, holding a run of consecutive seqs and their lines as one JSON array, instead of one row (a
 * heap tuple and an index entry) per line. A fan-out of 5,000 tasks logging ten lines each writes
 * 5,000 rows, not 50,000.
 *
 * `lines` is `json`, not `jsonb`: it is written far more often than read, and json is stored as its
 * text (validated, not rebuilt). Each line is `[epoch ms, level, stream, message]`. Compressed with
 * lz4 where the server has it (PostgreSQL's own pglz costs several times the CPU for the long chunks
 * of a task that prints a lot).
 *
 * The old rows are moved: each run of consecutive seqs of an attempt becomes chunks of at most 100
 * lines. A view `task_logs` with the old table's columns expands the chunks, for ad-hoc SQL; the
 * scheduler reads the chunks themselves (the view cannot narrow to the chunks a page needs).
 */
export class TaskLogChunks1700000000018 implements MigrationInterface {
  name = 'TaskLogChunks1700000000018';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE task_log_chunks (
        task_run_id bigint NOT NULL,
        attempt int NOT NULL,
        first_seq bigint NOT NULL,
        last_seq bigint NOT NULL,
        bytes bigint NOT NULL,
        lines json NOT NULL,
        PRIMARY KEY (task_run_id, attempt, first_seq)
      )`);
    await queryRunner.query(`
      DO $$ BEGIN
        ALTER TABLE task_log_chunks ALTER COLUMN lines SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported THEN NULL;
      END $$`);
    await queryRunner.query(`
      INSERT INTO task_log_chunks (task_run_id, attempt, first_seq, last_seq, bytes, lines)
      SELECT task_run_id, attempt, min(seq), max(seq), sum(octet_length(message)),
             json_agg(json_build_array((extract(epoch FROM ts) * 1000)::bigint, level, stream, message) ORDER BY seq)
        FROM (SELECT l.*, l.seq - row_number() OVER (PARTITION BY l.task_run_id, l.attempt ORDER BY l.seq) AS island FROM task_logs l) numbered
       GROUP BY task_run_id, attempt, island, seq / 100`);
    await queryRunner.query(`DROP TABLE task_logs`);
    await queryRunner.query(LINES_VIEW);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP VIEW IF EXISTS task_logs`);
    await queryRunner.query(`
      CREATE TABLE task_logs (
        task_run_id bigint NOT NULL,
        attempt int NOT NULL,
        seq bigint NOT NULL,
        ts timestamptz NOT NULL,
        level text NOT NULL,
        stream text NOT NULL,
        message text NOT NULL,
        PRIMARY KEY (task_run_id, attempt, seq)
      )`);
    await queryRunner.query(`INSERT INTO task_logs SELECT * FROM (${LINES_SELECT}) expanded`);
    await queryRunner.query(`DROP TABLE task_log_chunks`);
  }
}

const LINES_SELECT = `
  SELECT c.task_run_id, c.attempt, c.first_seq + l.i - 1 AS seq, to_timestamp((l.line->>0)::float8 / 1000) AS ts,
         l.line->>1 AS level, l.line->>2 AS stream, l.line->>3 AS message
    FROM task_log_chunks c CROSS JOIN LATERAL json_array_elements(c.lines) WITH ORDINALITY AS l(line, i)`;

const LINES_VIEW = `CREATE VIEW task_logs AS ${LINES_SELECT}`;
