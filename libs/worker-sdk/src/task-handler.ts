/** What a handler may log; the runner adds run id, task and attempt to every line. */
export interface TaskLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface TaskContext {
  /** 1 for the first attempt; continues across retries and requeues. */
  attempt: number;
  /** Stable across attempts (`runId:taskName`): use it to make side effects idempotent. */
  idempotencyKey: string;
  runId: string;
  taskName: string;
  workflow: string;
  /** Keeps the attempt alive and records progress details; throttled, so call it as often as you like. */
  heartbeat(details?: unknown): void;
  /** Details of the last heartbeat of an earlier attempt: resume from this checkpoint. */
  lastHeartbeatDetails: unknown;
  /** Fired on cancellation and on the start-to-close timeout. */
  signal: AbortSignal;
  /** Lines kept in the attempt's log (readable while it runs, secrets masked), and in the worker's own log. */
  logger: TaskLogger;
  /**
   * One line a child process printed, kept in the attempt's log tagged with its stream (what the `shell`
   * task uses). Answers false once the worker holds more unsent lines than it likes: pause the process's
   * output until `logDrained()` resolves, and a fast printer is slowed instead of having lines dropped.
   */
  processOutput(stream: 'stdout' | 'stderr', line: string): boolean;
  /** Resolves when the worker's unsent log lines are back under its high-water mark (at once when they are). */
  logDrained(): Promise<void>;
}

export type TaskHandler<Input = any, Output = unknown> = (input: Input, ctx: TaskContext) => Promise<Output> | Output;

/** Identity at run time; gives a handler its types at the place it is written. */
export function defineHandler<Input = any, Output = unknown>(handler: TaskHandler<Input, Output>): TaskHandler<Input, Output> {
  return handler;
}

/** Throw this (or any error with `nonRetryable: true`) to fail the task without using its remaining attempts. */
export class NonRetryableError extends Error {
  readonly nonRetryable = true;
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
