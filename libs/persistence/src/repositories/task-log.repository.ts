import { queryRows, type Queryable } from '../queryable';
import type { Statement } from '../statement';
import { TASK_LOGS_CHANNEL } from '@flowctl/core';

export type StoredLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type StoredLogStream = 'log' | 'stdout' | 'stderr' | 'system';

/** One line ready for storage: already sanitized, with its UTF-8 size. */
export interface NewTaskLogLine {
  /** Epoch milliseconds. */
  ts: number;
  level: StoredLogLevel;
  stream: StoredLogStream;
  message: string;
  bytes: number;
}

/** The lines of one attempt in one batch, in the order they were written. */
export interface TaskLogBatch {
  runId: string;
  taskRunId: string;
  attempt: number;
  lines: NewTaskLogLine[];
}

export interface TaskLogRow {
  seq: number;
  ts: Date;
  level: StoredLogLevel;
  stream: StoredLogStream;
  message: string;
}

/** A line as a chunk's JSON array holds it. */
type StoredLine = [ts: number, level: StoredLogLevel, stream: StoredLogStream, message: string];

/** Consecutive lines of one attempt, stored as one row. */
export interface TaskLogChunk {
  firstSeq: number;
  lastSeq: number;
  bytes: number;
  lines: StoredLine[];
}

/** Lines a chunk holds at most: a page that starts inside a chunk reads (and skips) this many at worst. */
export const LINES_PER_CHUNK = 1_000;
/** Bytes a chunk holds at most (past one line): the cap trims whole chunks, so they stay a small part of it. */
const MAX_CHUNK_BYTES = 256 * 1024;
/** Task run ids in one notification: at most 19 digits and a comma each, well inside a payload's 8000 bytes. */
const IDS_PER_NOTIFICATION = 300;

/**
 * The lines of each attempt (task_log_chunks: runs of consecutive seqs, one row per attempt and batch)
 * and their bookkeeping (task_log_attempts: the next sequence number, the bytes kept and the lines
 * dropped). A batch is two statements whatever its size, and a row per attempt in it, not per line:
 * the first stores, the second trims an attempt past its cap, which deletes only once a quarter of the
 * cap has been written since its last trim.
 */
export class TaskLogRepository {
  /**
   * Numbers and stores the batches, then trims every attempt they took past `limitBytes`; lines of a
   * task run that does not exist (or not in that run, or for an attempt it has not reached) are dropped.
   * Run inside a transaction: the bookkeeping row's lock orders concurrent writers, and the trim runs
   * under it. On an engine transaction both statements ride with its next statement or its COMMIT, as
   * nothing here reads an answer: logging adds no round trip to the batch that carries the lines.
   */
  async append(tx: Queryable, batches: readonly TaskLogBatch[], limitBytes: number): Promise<void> {
    const merged = mergeByAttempt(batches);
    if (merged.length === 0) return;
    // Rows are locked in key order, so two schedulers storing overlapping batches cannot deadlock.
    merged.sort((a, b) => compareIds(a.taskRunId, b.taskRunId) || a.attempt - b.attempt);
    for (const statement of [storeStatement(merged, limitBytes), trimStatement(merged, limitBytes)]) {
      if (tx.sendWithCommit) tx.sendWithCommit(statement);
      else await tx.query(statement.sql, statement.parameters);
    }
  }

  /** Lines of one attempt after `afterSeq`, oldest first. */
  async page(db: Queryable, taskRunId: string, attempt: number, afterSeq: number, limit: number): Promise<TaskLogRow[]> {
    const rows = await queryRows<{ seq: string; line: StoredLine }>(
      db,
      // Only the chunks that hold the page are expanded: those with fewer than `limit` lines after
      // afterSeq before them. A long log's other chunks are counted along the key, never read.
      `SELECT (c.first_seq + l.i - 1)::text AS seq, l.line
         FROM (SELECT first_seq, lines FROM (
                 SELECT first_seq, lines,
                        sum(last_seq - greatest(first_seq, $3 + 1) + 1) OVER (ORDER BY first_seq) - (last_seq - greatest(first_seq, $3 + 1) + 1) AS before
                   FROM task_log_chunks WHERE task_run_id = $1 AND attempt = $2 AND last_seq > $3) counted
                WHERE before < $4) c
         CROSS JOIN LATERAL json_array_elements(c.lines) WITH ORDINALITY AS l(line, i)
        WHERE c.first_seq + l.i - 1 > $3
        ORDER BY c.first_seq, l.i LIMIT $4`,
      [taskRunId, attempt, afterSeq, limit],
    );
    return rows.map(({ seq, line }) => ({ seq: Number(seq), ts: new Date(line[0]), level: line[1], stream: line[2], message: line[3] }));
  }

  /** The counts of an attempt's log, or undefined before its first line. */
  async tally(db: Queryable, taskRunId: string, attempt: number): Promise<{ lines: number; bytes: number; dropped: number } | undefined> {
    const [row] = await queryRows<{ nextSeq: string; bytes: string; dropped: string }>(
      db,
      `SELECT next_seq::text AS "nextSeq", bytes::text, dropped::text FROM task_log_attempts WHERE task_run_id = $1 AND attempt = $2`,
      [taskRunId, attempt],
    );
    return row ? { lines: Number(row.nextSeq), bytes: Number(row.bytes), dropped: Number(row.dropped) } : undefined;
  }

  /** The lines of these runs and their bookkeeping rows (no foreign key removes them: see the migration). */
  async deleteOfRuns(tx: Queryable, runIds: readonly string[]): Promise<void> {
    if (runIds.length === 0) return;
    await tx.query(
      `WITH gone AS (DELETE FROM task_log_attempts WHERE run_id = ANY($1::uuid[]) RETURNING task_run_id, attempt)
       DELETE FROM task_log_chunks c USING gone g WHERE c.task_run_id = g.task_run_id AND c.attempt = g.attempt`,
      [runIds],
    );
  }
}

/**
 * Pure: an attempt's lines of one batch, numbered from `firstSeq`, cut into chunks of at most `maxLines`
 * lines and `maxBytes` bytes (a longer line is a chunk of its own).
 */
export function chunksOf(lines: readonly NewTaskLogLine[], firstSeq: number, maxLines: number, maxBytes: number): TaskLogChunk[] {
  const chunks: TaskLogChunk[] = [];
  let current: TaskLogChunk | undefined;
  let seq = firstSeq;
  for (const line of lines) {
    if (!current || current.lines.length >= maxLines || current.bytes + line.bytes > maxBytes) {
      current = { firstSeq: seq, lastSeq: seq, bytes: 0, lines: [] };
      chunks.push(current);
    }
    current.lines.push([line.ts, line.level, line.stream, line.message]);
    current.bytes += line.bytes;
    current.lastSeq = seq;
    seq += 1;
  }
  return chunks;
}

/**
 * One statement: the bookkeeping upsert numbers each attempt's lines (its answer, the attempt's new
 * `next_seq`, is the seq of the batch's last line), the chunks go in at their offsets from it, and the
 * task run ids that got lines are notified, a few hundred to a notification (a payload holds 8000
 * bytes). The lines travel as one JSON document that PostgreSQL splits into its chunks: one string to
 * encode here, not an array element per line, each escaped by the driver.
 */
function storeStatement(merged: readonly TaskLogBatch[], limitBytes: number): Statement {
  const chunkBytes = Math.max(1, Math.min(MAX_CHUNK_BYTES, Math.floor(limitBytes / 8)));
  const ids: string[] = [];
  const attempts: number[] = [];
  const firstOffsets: number[] = [];
  const lastOffsets: number[] = [];
  const bytes: number[] = [];
  const chunks: StoredLine[][] = [];
  for (const batch of merged) {
    // Numbered so that the batch's last line is 0: offsets from the attempt's next_seq once counted.
    for (const chunk of chunksOf(batch.lines, 1 - batch.lines.length, LINES_PER_CHUNK, chunkBytes)) {
      ids.push(batch.taskRunId);
      attempts.push(batch.attempt);
      firstOffsets.push(chunk.firstSeq);
      lastOffsets.push(chunk.lastSeq);
      bytes.push(chunk.bytes);
      chunks.push(chunk.lines);
    }
  }
  return {
    sql: `WITH numbered AS (
       INSERT INTO task_log_attempts AS a (task_run_id, attempt, run_id, next_seq, bytes)
       SELECT t.id, u.attempt, t.run_id, u.lines, u.bytes
         FROM unnest($1::bigint[], $2::int[], $3::uuid[], $4::bigint[], $5::bigint[]) WITH ORDINALITY AS u(task_run_id, attempt, run_id, lines, bytes, ord)
         JOIN task_runs t ON t.id = u.task_run_id AND t.run_id = u.run_id AND u.attempt <= t.attempt
        ORDER BY u.ord
       ON CONFLICT (task_run_id, attempt) DO UPDATE SET next_seq = a.next_seq + EXCLUDED.next_seq, bytes = a.bytes + EXCLUDED.bytes
       RETURNING a.task_run_id, a.attempt, a.next_seq),
     stored AS (
       INSERT INTO task_log_chunks (task_run_id, attempt, first_seq, last_seq, bytes, lines)
       SELECT c.task_run_id, c.attempt, n.next_seq + c.first_offset, n.next_seq + c.last_offset, c.bytes, c.lines
         FROM ROWS FROM (unnest($6::bigint[]), unnest($7::int[]), unnest($8::bigint[]), unnest($9::bigint[]), unnest($10::bigint[]), json_array_elements($11::json))
              AS c(task_run_id, attempt, first_offset, last_offset, bytes, lines)
         JOIN numbered n ON n.task_run_id = c.task_run_id AND n.attempt = c.attempt)
     SELECT pg_notify('${TASK_LOGS_CHANNEL}', string_agg(id::text, ',')) FROM (
       SELECT id, (row_number() OVER (ORDER BY id) - 1) / ${IDS_PER_NOTIFICATION} AS part FROM (SELECT DISTINCT task_run_id AS id FROM numbered) touched) parts
      GROUP BY part`,
    parameters: [
      merged.map((b) => b.taskRunId),
      merged.map((b) => b.attempt),
      merged.map((b) => b.runId),
      merged.map((b) => b.lines.length),
      merged.map((b) => b.lines.reduce((sum, line) => sum + line.bytes, 0)),
      ids,
      attempts,
      firstOffsets,
      lastOffsets,
      bytes,
      JSON.stringify(chunks),
    ],
  };
}

/**
 * One statement, after the store: each attempt of the batch past its cap loses its oldest chunks, down
 * to three quarters of the cap or a little less (so a task that prints without end trims once per
 * quarter cap, not on every batch). The newest chunk that must go is the one from which on (newest
 * first) the bytes pass what is kept; it and every older chunk go, one range along the primary key.
 * One `system` line takes their place, numbered as the newest dropped line, saying how many lines are
 * gone in all (the previous such note, when it goes too, is no dropped line). An attempt under its
 * cap, the usual case, costs one index lookup.
 */
function trimStatement(merged: readonly TaskLogBatch[], limitBytes: number): Statement {
  return {
    sql: `WITH over AS MATERIALIZED (
       SELECT a.task_run_id, a.attempt, a.marker_seq
         FROM unnest($1::bigint[], $2::int[]) AS u(task_run_id, attempt)
         JOIN task_log_attempts a ON a.task_run_id = u.task_run_id AND a.attempt = u.attempt
        WHERE a.bytes > $3),
     cut AS (
       SELECT o.task_run_id, o.attempt, o.marker_seq, max(sized.first_seq) AS seq
         FROM over o CROSS JOIN LATERAL (
           SELECT c.first_seq, sum(c.bytes) OVER (ORDER BY c.first_seq DESC) AS newer_bytes
             FROM task_log_chunks c WHERE c.task_run_id = o.task_run_id AND c.attempt = o.attempt) sized
        WHERE sized.newer_bytes > $4
        GROUP BY o.task_run_id, o.attempt, o.marker_seq),
     doomed AS (
       DELETE FROM task_log_chunks c USING cut
        WHERE c.task_run_id = cut.task_run_id AND c.attempt = cut.attempt AND c.first_seq <= cut.seq
       RETURNING c.task_run_id, c.attempt, c.last_seq - c.first_seq + 1 AS lines, c.bytes, c.last_seq,
                 coalesce(cut.marker_seq BETWEEN c.first_seq AND c.last_seq, false) AS held_note),
     gone AS (
       SELECT task_run_id, attempt, sum(lines) - count(*) FILTER (WHERE held_note) AS dropped, sum(bytes) AS bytes, max(last_seq) AS last_seq
         FROM doomed GROUP BY task_run_id, attempt),
     noted AS (
       SELECT g.*, (a.dropped + g.dropped) || ' earlier lines dropped: this attempt''s log keeps its latest ' || $5::text AS note
         FROM gone g JOIN task_log_attempts a ON a.task_run_id = g.task_run_id AND a.attempt = g.attempt),
     tallied AS (
       UPDATE task_log_attempts a SET dropped = a.dropped + n.dropped, bytes = a.bytes - n.bytes + octet_length(n.note), marker_seq = n.last_seq
         FROM noted n WHERE a.task_run_id = n.task_run_id AND a.attempt = n.attempt)
     INSERT INTO task_log_chunks (task_run_id, attempt, first_seq, last_seq, bytes, lines)
     SELECT task_run_id, attempt, last_seq, last_seq, octet_length(note), json_build_array(json_build_array($6::bigint, 'warn', 'system', note))
       FROM noted`,
    parameters: [
      merged.map((b) => b.taskRunId),
      merged.map((b) => b.attempt),
      limitBytes,
      Math.floor(limitBytes * 0.75),
      formatBytes(limitBytes),
      Date.now(),
    ],
  };
}

function mergeByAttempt(batches: readonly TaskLogBatch[]): TaskLogBatch[] {
  const byAttempt = new Map<string, TaskLogBatch>();
  for (const batch of batches) {
    if (batch.lines.length === 0) continue;
    const key = `${batch.taskRunId}:${batch.attempt}`;
    const known = byAttempt.get(key);
    if (!known) byAttempt.set(key, { ...batch, lines: [...batch.lines] });
    // A loop, not push(...lines): a spread of a huge batch would overflow the stack.
    else if (known.runId === batch.runId) for (const line of batch.lines) known.lines.push(line);
  }
  return [...byAttempt.values()];
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
