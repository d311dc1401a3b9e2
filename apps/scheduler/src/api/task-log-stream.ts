import type { TaskLogLine } from '@flowctl/api-contract';
import { isTaskTerminal, type TaskStatus } from '@flowctl/core';
import type { Queryable, TaskLogRepository, TaskLogRow, TaskRunViewRepository } from '@flowctl/persistence';
import type { ServerSentEvents } from './server-sent-events';

const PAGE = 1_000;
/**
 * Lines of an attempt may be stored a moment after its outcome (the two travel in one batch of
 * reports but commit in separate transactions): once the attempt is over the stream reads once more
 * after this long before it sends `end`.
 */
export const END_GRACE_MS = 1_000;

export interface TaskLogStreamDeps {
  db: Queryable;
  taskLogs: TaskLogRepository;
  taskRuns: TaskRunViewRepository;
}

/** One line as the API shows it, in pages and in the stream alike. */
export function logLineView(row: TaskLogRow): TaskLogLine {
  return { seq: row.seq, ts: row.ts.toISOString(), level: row.level, stream: row.stream, message: row.message };
}

/** Whether `attempt` of a task that now stands at (status, current attempt) can get no more lines. */
export function isAttemptOver(attempt: number, task: { status: TaskStatus; attempt: number }): boolean {
  if (attempt === 0) return isTaskTerminal(task.status);
  return task.attempt > attempt || (task.status !== 'queued' && task.status !== 'running');
}

/**
 * The live log of one attempt over SSE: every line after the resume point (`message` events, id =
 * seq), then new ones as their batches are stored, then `end` once the attempt is over and every
 * line is sent. Wakes are coalesced: one read in flight, at most one more after it.
 */
export class TaskLogStream {
  private reading = false;
  private again = false;
  private ending?: NodeJS.Timeout;
  private ended = false;
  /** Set once the grace period after the attempt ended has passed: the next read is the last. */
  private endDue = false;

  constructor(
    private readonly deps: TaskLogStreamDeps,
    private readonly taskRunId: string,
    /** 0 with followLatest: the task has not started; its first attempt is taken once it has. */
    private attempt: number,
    private readonly followLatest: boolean,
    private readonly sse: ServerSentEvents,
    private afterSeq: number,
  ) {
    sse.onClose(() => clearTimeout(this.ending));
  }

  /** Called on every notification for the task run (its lines, or its run's changes). */
  notify(): void {
    if (this.ended || !this.sse.isOpen) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    void this.read()
      .catch(() => this.sse.close())
      .finally(() => {
        this.reading = false;
        if (this.again) {
          this.again = false;
          this.notify();
        }
      });
  }

  private async read(): Promise<void> {
    const task = await this.deps.taskRuns.findAttemptState(this.deps.db, this.taskRunId);
    if (!task) return this.end();
    if (this.followLatest && this.attempt === 0 && task.attempt > 0) this.attempt = task.attempt;
    await this.sendNewLines();
    if (this.endDue) return this.end();
    if (!isAttemptOver(this.attempt, task) || this.ending) return;
    this.ending = setTimeout(() => {
      this.endDue = true;
      this.notify();
    }, END_GRACE_MS);
  }

  private async sendNewLines(): Promise<void> {
    if (this.attempt === 0) return;
    for (;;) {
      if (!this.sse.isOpen) return;
      const rows = await this.deps.taskLogs.page(this.deps.db, this.taskRunId, this.attempt, this.afterSeq, PAGE);
      for (const row of rows) {
        this.sse.send('message', logLineView(row), String(row.seq));
        this.afterSeq = row.seq;
      }
      if (rows.length < PAGE) return;
    }
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.sse.send('end', { attempt: this.attempt, lastSeq: this.afterSeq });
    this.sse.close();
  }
}
