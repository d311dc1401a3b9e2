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

/** An attempt whose lines passed the cap, as the append left it. */
interface AttemptTally {
  taskRunId: string;
  attempt: number;
  bytes: string;
  dropped: string;
  markerSeq: string | null;
}

/** Lines a chunk holds at most: a page that starts inside a chunk reads (and skips) this many at worst. */
export const LINES_PER_CHUNK = 1_000;
/** Bytes a chunk holds at most (past one line): the cap trims whole chunks, so they stay a small part of it. */
const MAX_CHUNK_BYTES = 256 * 1024;

/**
 * The lines of each attempt (task_log_chunks: runs of consecutive seqs, one row per attempt and batch)
 * and their bookkeeping (task_log_attempts: the next sequence number, the bytes kept and the lines
 * dropped). A batch is a handful of statements whatever its size, and a row per attempt in it, not per
 * line; an attempt past its cap loses its oldest chunks in one statement, which only runs once a quarter
 * of the cap has been written since the last trim.
 */
export class TaskLogRepository {
  /**
   * Numbers and stores the batches; lines of a task run that does not exist (or not in that run, or
   * for an attempt it has not reached) are dropped. Returns the task run ids that got lines, for the
   * notification. Run inside a transaction: the bookkeeping row's lock orders concurrent writers.
   */
  async append(tx: Queryable, batches: readonly TaskLogBatch[], limitBytes: number): Promise<string[]> {
    const merged = mergeByAttempt(batches);
    if (merged.length === 0) return [];
    // Rows are locked in key order, so two schedulers storing overlapping batches cannot deadlock.
    merged.sort((a, b) => compareIds(a.taskRunId, b.taskRunId) || a.attempt - b.attempt);
    const numbered = await queryRows<{ taskRunId: string; attempt: number; nextSeq: string; bytes: string }>(
      tx,
      `INSERT INTO task_log_attempts AS a (task_run_id, attempt, run_id, next_seq, bytes)
       SELECT t.id, u.attempt, t.run_id, u.lines, u.bytes
         FROM unnest($1::bigint[], $2::int[], $3::uuid[], $4::bigint[], $5::bigint[]) WITH ORDINALITY AS u(task_run_id, attempt, run_id, lines, bytes, ord)
         JOIN task_runs t ON t.id = u.task_run_id AND t.run_id = u.run_id AND u.attempt <= t.attempt
        ORDER BY u.ord
       ON CONFLICT (task_run_id, attempt) DO UPDATE SET next_seq = a.next_seq + EXCLUDED.next_seq, bytes = a.bytes + EXCLUDED.bytes
       RETURNING a.task_run_id::text AS "taskRunId", a.attempt, a.next_seq::text AS "nextSeq", a.bytes::text AS bytes`,
      [
        merged.map((b) => b.taskRunId),
        merged.map((b) => b.attempt),
        merged.map((b) => b.runId),
        merged.map((b) => b.lines.length),
        merged.map((b) => b.lines.reduce((sum, line) => sum + line.bytes, 0)),
      ],
    );
    const ends = new Map(numbered.map((row) => [`${row.taskRunId}:${row.attempt}`, row]));
    const chunkBytes = Math.max(1, Math.min(MAX_CHUNK_BYTES, Math.floor(limitBytes / 8)));
    const ids: string[] = [];
    const attempts: number[] = [];
    const firstSeqs: number[] = [];
    const lastSeqs: number[] = [];
    const bytes: number[] = [];
    const chunks: StoredLine[][] = [];
    const touched: string[] = [];
    const overCap: { taskRunId: string; attempt: number }[] = [];
    for (const batch of merged) {
      const end = ends.get(`${batch.taskRunId}:${batch.attempt}`);
      if (!end) continue;
      touched.push(batch.taskRunId);
      for (const chunk of chunksOf(batch.lines, Number(end.nextSeq) - batch.lines.length + 1, LINES_PER_CHUNK, chunkBytes)) {
        ids.push(batch.taskRunId);
        attempts.push(batch.attempt);
        firstSeqs.push(chunk.firstSeq);
        lastSeqs.push(chunk.lastSeq);
        bytes.push(chunk.bytes);
        chunks.push(chunk.lines);
      }
      if (Number(end.bytes) > limitBytes) overCap.push({ taskRunId: batch.taskRunId, attempt: batch.attempt });
    }
    if (ids.length === 0) return [];
    const notified = [...new Set(touched)];
    // The lines travel as one JSON document, split into its chunks by PostgreSQL: one string to encode
    // here, not an array element per line, each escaped by the driver. The notification goes in the same
    // statement: comma-separated ids, a few hundred to a notification (a payload holds 8000 bytes), so a
    // batch of a fan-out's logs is a handful of notifications, not one per task.
    const store: Statement = {
      sql: `WITH stored AS (
         INSERT INTO task_log_chunks (task_run_id, attempt, first_seq, last_seq, bytes, lines)
         SELECT * FROM ROWS FROM (unnest($1::bigint[]), unnest($2::int[]), unnest($3::bigint[]), unnest($4::bigint[]), unnest($5::bigint[]), json_array_elements($6::json)))
       SELECT pg_notify('${TASK_LOGS_CHANNEL}', ids) FROM unnest($7::text[]) AS ids`,
      parameters: [ids, attempts, firstSeqs, lastSeqs, bytes, JSON.stringify(chunks), notificationPayloads(notified)],
    };
    // Nothing reads its answer: unless a trim follows, it rides with the COMMIT, one round trip fewer
    // for every batch (the engine applies the batch's reports only once this has committed).
    if (overCap.length === 0 && tx.sendWithCommit) {
      tx.sendWithCommit(store);
      return notified;
    }
    await tx.query(store.sql, store.parameters);
    for (const attempt of overCap) await this.trim(tx, attempt.taskRunId, attempt.attempt, limitBytes);
    return notified;
  }

  /**
   * Drops the oldest chunks of an attempt past its cap, down to three quarters of it or a little less (so
   * a task that prints without end trims once per quarter cap, not on every batch), and puts one `system`
   * line in their place, numbered as the newest dropped line, saying how many are gone in all.
   */
  private async trim(tx: Queryable, taskRunId: string, attempt: number, limitBytes: number): Promise<void> {
    const keepBytes = Math.floor(limitBytes * 0.75);
    // The newest chunk that must go: the bytes from it on (newest first) pass what is kept. Every older
    // chunk goes too, so the delete is one range along the primary key.
    const [cut] = await queryRows<{ seq: string | null }>(
      tx,
      `SELECT max(first_seq)::text AS seq FROM (
         SELECT c.first_seq, sum(c.bytes) OVER (ORDER BY c.first_seq DESC) AS newer_bytes
           FROM task_log_chunks c WHERE c.task_run_id = $1 AND c.attempt = $2) sized
        WHERE newer_bytes > $3`,
      [taskRunId, attempt, keepBytes],
    );
    if (!cut?.seq) return;
    const [gone] = await queryRows<{ lines: string; bytes: string | null; lastSeq: string | null; markerGone: boolean }>(
      tx,
      `WITH doomed AS (
         DELETE FROM task_log_chunks WHERE task_run_id = $1 AND attempt = $2 AND first_seq <= $3
         RETURNING first_seq, last_seq, bytes),
       marker AS (SELECT marker_seq FROM task_log_attempts WHERE task_run_id = $1 AND attempt = $2)
       SELECT coalesce(sum(last_seq - first_seq + 1), 0)::text AS lines, sum(bytes)::text AS bytes, max(last_seq)::text AS "lastSeq",
              coalesce(bool_or((SELECT marker_seq FROM marker) BETWEEN first_seq AND last_seq), false) AS "markerGone"
         FROM doomed`,
      [taskRunId, attempt, cut.seq],
    );
    if (!gone || gone.lastSeq === null) return;
    const droppedNow = Number(gone.lines) - (gone.markerGone ? 1 : 0);
    const [tally] = await queryRows<AttemptTally>(
      tx,
      `UPDATE task_log_attempts SET dropped = dropped + $3, bytes = bytes - $4, marker_seq = $5
        WHERE task_run_id = $1 AND attempt = $2
        RETURNING task_run_id::text AS "taskRunId", attempt, bytes::text, dropped::text, marker_seq::text AS "markerSeq"`,
      [taskRunId, attempt, droppedNow, Number(gone.bytes ?? 0), gone.lastSeq],
    );
    if (!tally) return;
    const note = `${tally.dropped} earlier lines dropped: this attempt's log keeps its latest ${formatBytes(limitBytes)}`;
    const noteBytes = Buffer.byteLength(note, 'utf8');
    const line: StoredLine = [Date.now(), 'warn', 'system', note];
    await tx.query(
      `INSERT INTO task_log_chunks (task_run_id, attempt, first_seq, last_seq, bytes, lines) VALUES ($1, $2, $3, $3, $4, $5::json)`,
      [taskRunId, attempt, gone.lastSeq, noteBytes, JSON.stringify([line])],
    );
    await tx.query(`UPDATE task_log_attempts SET bytes = bytes + $3 WHERE task_run_id = $1 AND attempt = $2`, [
      taskRunId,
      attempt,
      noteBytes,
    ]);
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

const MAX_PAYLOAD_CHARS = 7_000;

/** Task run ids joined by commas into payloads that fit a notification. */
export function notificationPayloads(ids: readonly string[]): string[] {
  const payloads: string[] = [];
  let current = '';
  for (const id of ids) {
    if (current.length > 0 && current.length + id.length + 1 > MAX_PAYLOAD_CHARS) {
      payloads.push(current);
      current = '';
    }
    current = current.length > 0 ? `${current},${id}` : id;
  }
  if (current.length > 0) payloads.push(current);
  return payloads;
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
