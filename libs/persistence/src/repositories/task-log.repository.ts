import { queryRows, type Queryable } from '../queryable';
import { TASK_LOGS_CHANNEL } from '@flowctl/core';

export type StoredLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type StoredLogStream = 'log' | 'stdout' | 'stderr' | 'system';

/** One line ready for storage: already sanitized, with its UTF-8 size. */
export interface NewTaskLogLine {
  ts: Date;
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

/** An attempt whose lines passed the cap, as the append left it. */
interface AttemptTally {
  taskRunId: string;
  attempt: number;
  bytes: string;
  dropped: string;
  markerSeq: string | null;
}

/**
 * The lines of each attempt (task_logs) and their bookkeeping (task_log_attempts: the next
 * sequence number, the bytes kept and the lines dropped). A batch is a handful of statements
 * whatever its size; an attempt past its cap loses its oldest lines in one statement, which only
 * runs once a quarter of the cap has been written since the last trim.
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
    const ids: string[] = [];
    const attempts: number[] = [];
    const seqs: number[] = [];
    const times: Date[] = [];
    const levels: string[] = [];
    const streams: string[] = [];
    const messages: string[] = [];
    const overCap: { taskRunId: string; attempt: number }[] = [];
    for (const batch of merged) {
      const end = ends.get(`${batch.taskRunId}:${batch.attempt}`);
      if (!end) continue;
      let seq = Number(end.nextSeq) - batch.lines.length;
      for (const line of batch.lines) {
        ids.push(batch.taskRunId);
        attempts.push(batch.attempt);
        seqs.push(++seq);
        times.push(line.ts);
        levels.push(line.level);
        streams.push(line.stream);
        messages.push(line.message);
      }
      if (Number(end.bytes) > limitBytes) overCap.push({ taskRunId: batch.taskRunId, attempt: batch.attempt });
    }
    if (ids.length === 0) return [];
    await tx.query(
      `INSERT INTO task_logs (task_run_id, attempt, seq, ts, level, stream, message)
       SELECT * FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::timestamptz[], $5::text[], $6::text[], $7::text[])`,
      [ids, attempts, seqs, times, levels, streams, messages],
    );
    for (const attempt of overCap) await this.trim(tx, attempt.taskRunId, attempt.attempt, limitBytes);
    const touched = [...new Set(ids)];
    // Comma-separated ids, a few hundred to a notification (a payload holds 8000 bytes): a batch of a
    // fan-out's logs is a handful of notifications, not one per task.
    await tx.query(`SELECT pg_notify('${TASK_LOGS_CHANNEL}', ids) FROM unnest($1::text[]) AS ids`, [notificationPayloads(touched)]);
    return touched;
  }

  /**
   * Drops the oldest lines of an attempt past its cap, down to three quarters of it (so a task that
   * prints without end trims once per quarter cap, not on every batch), and puts one `system` line
   * in their place, numbered as the newest dropped line, saying how many are gone in all.
   */
  private async trim(tx: Queryable, taskRunId: string, attempt: number, limitBytes: number): Promise<void> {
    const keepBytes = Math.floor(limitBytes * 0.75);
    // The newest line that must go: the bytes from it on (newest first) pass what is kept. Every older
    // line goes too, so the delete is one range along the primary key.
    const [cut] = await queryRows<{ seq: string | null }>(
      tx,
      `SELECT max(seq)::text AS seq FROM (
         SELECT l.seq, sum(octet_length(l.message)) OVER (ORDER BY l.seq DESC) AS newer_bytes
           FROM task_logs l WHERE l.task_run_id = $1 AND l.attempt = $2) sized
        WHERE newer_bytes > $3`,
      [taskRunId, attempt, keepBytes],
    );
    if (!cut?.seq) return;
    const [gone] = await queryRows<{ lines: string; bytes: string | null; lastSeq: string | null; markerGone: boolean }>(
      tx,
      `WITH doomed AS (
         DELETE FROM task_logs WHERE task_run_id = $1 AND attempt = $2 AND seq <= $3
         RETURNING seq, octet_length(message) AS bytes)
       SELECT count(*)::text AS lines, sum(bytes)::text AS bytes, max(seq)::text AS "lastSeq",
              coalesce(bool_or(seq = (SELECT marker_seq FROM task_log_attempts WHERE task_run_id = $1 AND attempt = $2)), false) AS "markerGone"
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
    await tx.query(
      `INSERT INTO task_logs (task_run_id, attempt, seq, ts, level, stream, message) VALUES ($1, $2, $3, now(), 'warn', 'system', $4)`,
      [taskRunId, attempt, gone.lastSeq, note],
    );
    await tx.query(`UPDATE task_log_attempts SET bytes = bytes + $3 WHERE task_run_id = $1 AND attempt = $2`, [
      taskRunId,
      attempt,
      Buffer.byteLength(note, 'utf8'),
    ]);
  }

  /** Lines of one attempt after `afterSeq`, oldest first. */
  async page(db: Queryable, taskRunId: string, attempt: number, afterSeq: number, limit: number): Promise<TaskLogRow[]> {
    const rows = await queryRows<{ seq: string; ts: Date; level: StoredLogLevel; stream: StoredLogStream; message: string }>(
      db,
      // Ordered by the column, not the text output of the same name (which would sort 10 before 9).
      `SELECT l.seq::text AS seq, l.ts, l.level, l.stream, l.message FROM task_logs l
        WHERE l.task_run_id = $1 AND l.attempt = $2 AND l.seq > $3 ORDER BY l.seq LIMIT $4`,
      [taskRunId, attempt, afterSeq, limit],
    );
    return rows.map((row) => ({ ...row, seq: Number(row.seq) }));
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
       DELETE FROM task_logs l USING gone g WHERE l.task_run_id = g.task_run_id AND l.attempt = g.attempt`,
      [runIds],
    );
  }
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
