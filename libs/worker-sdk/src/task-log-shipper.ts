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
  /** A batch this big goes out at once, without waiting for the interval; also the most lines one batch takes. */
  batchLines?: number;
  /** Unsent lines kept at most; past it the oldest are dropped and counted. */
  maxBufferedLines?: number;
  /** Unsent message bytes (UTF-16 length) kept at most, the same way. */
  maxBufferedChars?: number;
  /** Lines per logs message: a message stays small enough to be one cheap entry on the results channel. */
  linesPerMessage?: number;
  /**
   * Characters an attempt may write and still be slowed down (its process paused) rather than lose
   * lines: past it, the scheduler keeps only the latest FLOWCTL_TASK_LOG_LIMIT (10 MiB by default) of the
   * attempt anyway, so a flood goes on at full speed and its oldest unsent lines are dropped instead.
   */
  slowedUpToChars?: number;
  /** Reports waiting on the results channel past which a batch waits (the schedulers are behind). */
  maxBacklogReports?: number;
  /** How long a batch waits before asking again whether the results channel has room. */
  backlogRetryMs?: number;
}

export const DEFAULT_LOG_SHIPPING = {
  flushIntervalMs: 200,
  batchLines: 2_000,
  maxBufferedLines: 50_000,
  maxBufferedChars: 16 * 1024 * 1024,
  linesPerMessage: 500,
  slowedUpToChars: 10 * 1024 * 1024,
  maxBacklogReports: 5,
  backlogRetryMs: 50,
} satisfies Required<TaskLogShipperOptions>;

interface Pending {
  attempt: LogAttempt;
  line: TaskLogLine;
}

/** One attempt's unsent lines (from `head` on, so dropping the oldest is O(1)) and its counts. */
interface AttemptLines {
  attempt: LogAttempt;
  lines: TaskLogLine[];
  head: number;
  chars: number;
  dropped: number;
  /** Characters written over the attempt's life: past slowedUpToChars it is a flood. */
  written: number;
}

const pendingOf = (queue: AttemptLines) => queue.lines.length - queue.head;

/** Once most of a queue's array is behind its head, copies the rest to a new one: a flood's array would grow with every line it ever wrote. */
function compact(queue: AttemptLines): void {
  if (queue.head < 1_024 || queue.head < queue.lines.length / 2) return;
  queue.lines = queue.lines.slice(queue.head);
  queue.head = 0;
}

/**
 * One per worker: the log lines of every attempt it runs wait here and go out in batches, as `logs`
 * messages on the results channel, from a timer. Writing a line is a push onto an array: a task that
 * logs never waits on the network. Memory is bounded: past the caps the oldest unsent lines of the
 * attempt holding the most are dropped and their count travels with its next batch. A flood (an
 * attempt past slowedUpToChars) ships only while the results channel holds fewer than
 * maxBacklogReports (the schedulers keep up), so a task printing faster than logs are stored fills this
 * buffer, not Redis, and another task's outcome queues behind a few of its batches at most. An
 * attempt's own lines go out with its outcome (takeAttempt), whatever else is waiting. A worker
 * that dies loses at most what it had not shipped yet.
 */
export class TaskLogShipper {
  private readonly options: Required<TaskLogShipperOptions>;
  /** Unsent lines by attempt, in the order attempts first wrote. */
  private readonly queues = new Map<string, AttemptLines>();
  private readonly keys = new WeakMap<LogAttempt, string>();
  /** The queue the last line went to: an attempt writes its lines one after another, so most lines skip the lookups. */
  private lastWritten?: { attempt: LogAttempt; queue: AttemptLines };
  private lines = 0;
  private chars = 0;
  private timer?: NodeJS.Timeout;
  private timerDueAt = 0;
  /** The results channel was full at the last look: the timer asks again then, and writes do not bring it forward. */
  private congested = false;
  private flushing?: Promise<void>;
  private closed = false;
  /** Writers of process output waiting for the buffer to drain under its high-water mark. */
  private waiters: (() => void)[] = [];

  constructor(
    private readonly workerId: string,
    private readonly publish: (messages: LogsMessage[]) => Promise<void>,
    options: TaskLogShipperOptions = {},
    /** Reports waiting on the results channel; without it batches never wait. */
    private readonly backlog?: () => Promise<number>,
  ) {
    this.options = { ...DEFAULT_LOG_SHIPPING, ...options };
  }

  get pendingLines(): number {
    return this.lines;
  }

  /**
   * Over half the caps, counting only attempts that are not floods: a writer that can wait (a process's
   * output, paused) should, rather than see lines dropped. A flood never holds the others up.
   */
  get isAboveHighWater(): boolean {
    const lineMark = this.options.maxBufferedLines / 2;
    const charMark = this.options.maxBufferedChars / 2;
    // Floods only take from the totals: under the mark with them is under it without, at no loop per line written.
    if (this.lines < lineMark && this.chars < charMark) return false;
    let lines = this.lines;
    let chars = this.chars;
    for (const queue of this.queues.values())
      if (this.isFlood(queue)) {
        lines -= pendingOf(queue);
        chars -= queue.chars;
      }
    return lines >= lineMark || chars >= charMark;
  }

  /** Whether a writer that can wait should: the buffer is above its high-water mark, or the schedulers are behind. */
  private get shouldWait(): boolean {
    return !this.closed && (this.congested || this.isAboveHighWater);
  }

  /** Resolves once the buffer is under its high-water mark and the schedulers keep up, checked after each batch. */
  drained(): Promise<void> {
    if (!this.shouldWait) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Returns false when the writer should wait for drained(): the buffer is above its high-water mark or
   * the results channel is behind (a process's output then paces itself to what the schedulers store,
   * losing nothing). Never for a flood.
   */
  write(attempt: LogAttempt, level: TaskLogLevel, stream: TaskLogStream, message: string): boolean {
    if (this.closed) return true;
    const queue = this.lastWritten?.attempt === attempt ? this.lastWritten.queue : this.queueOf(attempt);
    this.lastWritten = { attempt, queue };
    const ms = Date.now();
    queue.lines.push({ ts: this.isoTime(ms), level, stream, message });
    queue.chars += message.length;
    queue.written += message.length;
    this.lines += 1;
    this.chars += message.length;
    if (this.lines > this.options.maxBufferedLines || this.chars > this.options.maxBufferedChars) this.dropFromLargest();
    this.flushSoon(this.lines >= this.options.batchLines ? 0 : this.options.flushIntervalMs, ms);
    return this.isFlood(queue) || !this.shouldWait;
  }

  /**
   * This attempt's unsent lines as messages, taken ahead of anything else waiting, and the attempt
   * forgotten: its outcome comes next, and goes out in the same write as them.
   */
  takeAttempt(attempt: LogAttempt): LogsMessage[] {
    const key = this.keyOf(attempt);
    const queue = this.queues.get(key);
    if (!queue) return [];
    this.queues.delete(key);
    if (this.lastWritten?.queue === queue) this.lastWritten = undefined;
    this.lines -= pendingOf(queue);
    this.chars -= queue.chars;
    // The queue is forgotten: its array is handed over as it is when nothing was dropped from its front.
    const lines = queue.head === 0 ? queue.lines : queue.lines.slice(queue.head);
    const messages = messagesOf(this.workerId, queue.attempt, lines, queue.dropped, new Date().toISOString(), this.options.linesPerMessage);
    this.releaseWaiters();
    return messages;
  }

  /** Sends everything buffered now, whether or not the results channel is behind, and waits for it (a worker's stop). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    while (this.lines > 0 || [...this.queues.values()].some((queue) => queue.dropped > 0)) {
      this.flushing = this.send(Number.MAX_SAFE_INTEGER).finally(() => {
        this.flushing = undefined;
        this.releaseWaiters();
      });
      await this.flushing;
    }
  }

  /** Flushes what is left and takes no more lines. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    this.releaseWaiters();
  }

  private clockMs = 0;
  private clockText = '';

  /** `ms` as ISO text, formatted once per millisecond: a loud task writes many lines in one. */
  private isoTime(ms: number): string {
    if (ms !== this.clockMs) {
      this.clockMs = ms;
      this.clockText = new Date(ms).toISOString();
    }
    return this.clockText;
  }

  private isFlood(queue: AttemptLines): boolean {
    return queue.written > this.options.slowedUpToChars;
  }

  private queueOf(attempt: LogAttempt): AttemptLines {
    const key = this.keyOf(attempt);
    let queue = this.queues.get(key);
    if (!queue) this.queues.set(key, (queue = { attempt, lines: [], head: 0, chars: 0, dropped: 0, written: 0 }));
    return queue;
  }

  private keyOf(attempt: LogAttempt): string {
    let key = this.keys.get(attempt);
    if (key === undefined) this.keys.set(attempt, (key = attemptKey(attempt)));
    return key;
  }

  private releaseWaiters(): void {
    if (this.waiters.length === 0 || this.shouldWait) return;
    const waiting = this.waiters;
    this.waiters = [];
    for (const resolve of waiting) resolve();
  }

  private flushSoon(delayMs: number, nowMs = Date.now()): void {
    const dueAt = nowMs + delayMs;
    if (this.timer && (this.timerDueAt <= dueAt || this.congested)) return;
    clearTimeout(this.timer);
    this.timerDueAt = dueAt;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.flushing) {
        // One batch in flight at a time; what came meanwhile goes right after it.
        void this.flushing.then(() => this.flushSoon(0));
        return;
      }
      this.flushing = this.sendWhenThereIsRoom()
        .catch(() => undefined)
        .finally(() => {
          this.flushing = undefined;
          this.releaseWaiters();
        });
    }, delayMs);
    this.timer.unref?.();
  }

  /** Down to nine tenths of the caps, from the attempt holding the most: a flood loses its own lines, not its neighbours'. */
  private dropFromLargest(): void {
    const lineTarget = Math.floor(this.options.maxBufferedLines * 0.9);
    const charTarget = Math.floor(this.options.maxBufferedChars * 0.9);
    while ((this.lines > lineTarget || this.chars > charTarget) && this.lines > 1) {
      let largest: AttemptLines | undefined;
      for (const queue of this.queues.values()) if (!largest || queue.chars > largest.chars) largest = queue;
      if (!largest || pendingOf(largest) === 0) return;
      // A few at a time, so a neighbour that becomes the largest is next.
      for (let i = 0; i < 64 && pendingOf(largest) > 1 && (this.lines > lineTarget || this.chars > charTarget); i++) {
        const oldest = largest.lines[largest.head]!;
        largest.lines[largest.head] = undefined as unknown as TaskLogLine;
        largest.head += 1;
        largest.chars -= oldest.message.length;
        largest.dropped += 1;
        this.lines -= 1;
        this.chars -= oldest.message.length;
      }
      compact(largest);
      if (pendingOf(largest) <= 1) return;
    }
  }

  /**
   * While the results channel is behind, only the floods' lines wait (and past the caps are dropped, as
   * the scheduler would drop them); every other attempt's lines go out as ever, so no line of a task
   * under its cap is lost to a flood.
   */
  private async sendWhenThereIsRoom(): Promise<void> {
    if (this.lines === 0 && this.waiters.length === 0 && ![...this.queues.values()].some((queue) => queue.dropped > 0)) return;
    this.congested = this.backlog !== undefined && (await this.backlog()) >= this.options.maxBacklogReports;
    if (!this.congested) return this.send(this.options.batchLines);
    await this.send(Number.MAX_SAFE_INTEGER, false);
    if (this.closed) return;
    // Ask again shortly; a flood's lines wait here meanwhile.
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushSoon(this.options.backlogRetryMs);
  }

  /**
   * Takes up to `budget` lines, a fair share from each attempt first (the floods' only if `floods`),
   * groups them by attempt in write order, and publishes them.
   */
  private async send(budget: number, floods = true): Promise<void> {
    const taken: Pending[] = [];
    const dropped = new Map<string, { attempt: LogAttempt; count: number }>();
    const share = Math.max(1, Math.ceil(budget / Math.max(1, this.queues.size)));
    for (const pass of [share, budget])
      for (const [key, queue] of this.queues) {
        if (!floods && this.isFlood(queue)) continue;
        const count = Math.min(pendingOf(queue), pass, budget - taken.length);
        if (count > 0) takeLines(queue, count, taken);
        if (queue.dropped > 0) dropped.set(key, { attempt: queue.attempt, count: queue.dropped });
        queue.dropped = 0;
        if (pendingOf(queue) === 0) {
          queue.lines = [];
          queue.head = 0;
        }
      }
    for (const { line } of taken) {
      this.lines -= 1;
      this.chars -= line.message.length;
    }
    const messages = toMessages(this.workerId, taken, dropped, this.options.linesPerMessage);
    if (messages.length > 0) await this.publish(messages);
    // Lines written while this batch went out, or left for the next one, wait for it.
    if (this.lines > 0 && !this.closed && !this.congested)
      this.flushSoon(this.lines >= this.options.batchLines ? 0 : this.options.flushIntervalMs);
  }
}

/** Moves the `count` oldest unsent lines of an attempt off its queue onto `taken`. */
function takeLines(queue: AttemptLines, count: number, taken: Pending[]): Pending[] {
  for (let i = 0; i < count; i++) {
    const line = queue.lines[queue.head]!;
    queue.lines[queue.head] = undefined as unknown as TaskLogLine;
    queue.head += 1;
    queue.chars -= line.message.length;
    taken.push({ attempt: queue.attempt, line });
  }
  compact(queue);
  return taken;
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
  return [...byAttempt].flatMap(([key, group]) =>
    messagesOf(workerId, group.attempt, group.lines, dropped.get(key)?.count ?? 0, at, linesPerMessage),
  );
}

/** Pure: one attempt's lines (in write order) as logs messages of at most `linesPerMessage` lines, the dropped count on the first. */
export function messagesOf(
  workerId: string,
  attempt: LogAttempt,
  lines: TaskLogLine[],
  dropped: number,
  at: string,
  linesPerMessage: number,
): LogsMessage[] {
  const messages: LogsMessage[] = [];
  for (let from = 0; from < Math.max(1, lines.length); from += linesPerMessage) {
    messages.push({
      kind: 'logs',
      runId: attempt.runId,
      taskRunId: attempt.taskRunId,
      attempt: attempt.attempt,
      workerId,
      // An attempt's lines fit one message as a rule: they go as they are, not copied.
      lines: lines.length <= linesPerMessage ? lines : lines.slice(from, from + linesPerMessage),
      ...(from === 0 && dropped > 0 ? { dropped } : {}),
      at,
    });
  }
  return messages;
}
