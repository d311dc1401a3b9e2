import type { ResultMessage, TaskLogLevel, TaskLogLine, TaskLogStream } from '@flowctl/queue';

type LogsMessage = Extract<ResultMessage, { kind: 'logs' }>;

/** The attempt a line belongs to, as the logs message names it. */
export interface LogAttempt {
  runId: string;
  taskRunId: string;
  attempt: number;
}

export interface TaskLogShipperOptions {
  /** How long a line may wait for company before its batch goes out. */
  flushIntervalMs?: number;
  /** A batch this big goes out at once, without waiting for the interval. */
  batchLines?: number;
  /** Unsent lines kept at most; past it the oldest are dropped and counted. */
  maxBufferedLines?: number;
  /** Unsent message bytes (UTF-16 length) kept at most, the same way. */
  maxBufferedChars?: number;
  /** Lines per logs message: a message stays small enough to be one cheap entry on the results channel. */
  linesPerMessage?: number;
}

export const DEFAULT_LOG_SHIPPING = {
  flushIntervalMs: 200,
  batchLines: 2_000,
  maxBufferedLines: 50_000,
  maxBufferedChars: 16 * 1024 * 1024,
  linesPerMessage: 500,
} satisfies Required<TaskLogShipperOptions>;

interface Pending {
  attempt: LogAttempt;
  line: TaskLogLine;
}

/**
 * One per worker: the log lines of every attempt it runs wait here and go out in batches, as `logs`
 * messages on the results channel, from a timer. Writing a line is a push onto an array: a task that
 * logs never waits on the network. Memory is bounded: past the cap the oldest unsent lines are
 * dropped and their count travels with the attempt's next batch. A worker that dies loses at most
 * what it had not shipped yet.
 */
export class TaskLogShipper {
  private readonly options: Required<TaskLogShipperOptions>;
  private buffer: Pending[] = [];
  /** Index of the first line still to send (dropping from the head is then O(1)). */
  private head = 0;
  private chars = 0;
  private readonly dropped = new Map<string, { attempt: LogAttempt; count: number }>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private closed = false;
  /** Writers of process output waiting for the buffer to drain under its high-water mark. */
  private waiters: (() => void)[] = [];

  constructor(
    private readonly workerId: string,
    private readonly publish: (messages: LogsMessage[]) => Promise<void>,
    options: TaskLogShipperOptions = {},
  ) {
    this.options = { ...DEFAULT_LOG_SHIPPING, ...options };
  }

  get pendingLines(): number {
    return this.buffer.length - this.head;
  }

  /** Over half the caps: a writer that can wait (a process's output, paused) should, rather than see lines dropped. */
  get isAboveHighWater(): boolean {
    return this.pendingLines >= this.options.maxBufferedLines / 2 || this.chars >= this.options.maxBufferedChars / 2;
  }

  /** Resolves once the buffer is under its high-water mark, checked after each batch is published. */
  drained(): Promise<void> {
    if (!this.isAboveHighWater || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Returns false when the buffer is above its high-water mark (see drained). */
  write(attempt: LogAttempt, level: TaskLogLevel, stream: TaskLogStream, message: string): boolean {
    if (this.closed) return true;
    this.buffer.push({ attempt, line: { ts: new Date().toISOString(), level, stream, message } });
    this.chars += message.length;
    while (this.pendingLines > this.options.maxBufferedLines || (this.chars > this.options.maxBufferedChars && this.pendingLines > 1))
      this.dropOldest();
    if (this.pendingLines >= this.options.batchLines) this.flushSoon(0);
    else this.flushSoon(this.options.flushIntervalMs);
    return !this.isAboveHighWater;
  }

  private releaseWaiters(): void {
    if (this.waiters.length === 0 || (this.isAboveHighWater && !this.closed)) return;
    const waiting = this.waiters;
    this.waiters = [];
    for (const resolve of waiting) resolve();
  }

  /** Sends everything buffered now, and waits for it (a worker's stop). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    if (this.pendingLines === 0 && this.dropped.size === 0) return;
    this.flushing = this.send().finally(() => {
      this.flushing = undefined;
      this.releaseWaiters();
    });
    await this.flushing;
  }

  /** Flushes what is left and takes no more lines. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    this.releaseWaiters();
  }

  private flushSoon(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.flushing) {
        // One batch in flight at a time; what came meanwhile goes right after it.
        void this.flushing.then(() => this.flushSoon(0));
        return;
      }
      this.flushing = this.send()
        .catch(() => undefined)
        .finally(() => {
          this.flushing = undefined;
          this.releaseWaiters();
        });
    }, delayMs);
    this.timer.unref?.();
  }

  private dropOldest(): void {
    const oldest = this.buffer[this.head];
    if (!oldest) return;
    this.buffer[this.head] = undefined as unknown as Pending;
    this.head += 1;
    this.chars -= oldest.line.message.length;
    const key = attemptKey(oldest.attempt);
    const known = this.dropped.get(key);
    if (known) known.count += 1;
    else this.dropped.set(key, { attempt: oldest.attempt, count: 1 });
  }

  /** Takes the whole buffer, groups it by attempt in write order, and publishes it. */
  private async send(): Promise<void> {
    const taken = this.buffer.slice(this.head);
    const dropped = new Map(this.dropped);
    this.buffer = [];
    this.head = 0;
    this.chars = 0;
    this.dropped.clear();
    const messages = toMessages(this.workerId, taken, dropped, this.options.linesPerMessage);
    if (messages.length > 0) await this.publish(messages);
    // Lines written while this batch went out wait for the next one.
    if (this.pendingLines > 0 && !this.closed)
      this.flushSoon(this.pendingLines >= this.options.batchLines ? 0 : this.options.flushIntervalMs);
  }
}

function attemptKey(attempt: LogAttempt): string {
  return `${attempt.taskRunId}:${attempt.attempt}`;
}

/** Pure: the logs messages for a set of lines, one per attempt and per `linesPerMessage` lines, dropped counts on the first. */
export function toMessages(
  workerId: string,
  lines: readonly Pending[],
  dropped: ReadonlyMap<string, { attempt: LogAttempt; count: number }>,
  linesPerMessage: number,
): LogsMessage[] {
  const byAttempt = new Map<string, { attempt: LogAttempt; lines: TaskLogLine[] }>();
  for (const { attempt, line } of lines) {
    const key = attemptKey(attempt);
    let group = byAttempt.get(key);
    if (!group) byAttempt.set(key, (group = { attempt, lines: [] }));
    group.lines.push(line);
  }
  for (const [key, { attempt }] of dropped) if (!byAttempt.has(key)) byAttempt.set(key, { attempt, lines: [] });
  const at = new Date().toISOString();
  const messages: LogsMessage[] = [];
  for (const [key, group] of byAttempt) {
    const droppedCount = dropped.get(key)?.count ?? 0;
    for (let from = 0; from < Math.max(1, group.lines.length); from += linesPerMessage) {
      messages.push({
        kind: 'logs',
        runId: group.attempt.runId,
        taskRunId: group.attempt.taskRunId,
        attempt: group.attempt.attempt,
        workerId,
        lines: group.lines.slice(from, from + linesPerMessage),
        ...(from === 0 && droppedCount > 0 ? { dropped: droppedCount } : {}),
        at,
      });
    }
  }
  return messages;
}
