import type { TaskFailure } from '@flowctl/core';

/** Names the attempt a command is about; a command for an attempt that is no longer current is dropped. */
interface AttemptRef {
  runId: string;
  taskRunId: string;
  attempt: number;
  /** The worker that ran it, or who stands in for one (SCHEDULER_WORKER, APPROVAL_WORKER). */
  workerId: string;
  /** When it happened (ISO 8601). */
  at: string;
  /** Trace context the application continues (a worker's span); absent for the scheduler's own commands. */
  traceparent?: string;
}

/** A worker took the attempt off its queue and began it. */
export interface StartAttempt extends AttemptRef {
  kind: 'start';
}

/** The attempt succeeded with this output. */
export interface CompleteAttempt extends AttemptRef {
  kind: 'complete';
  startedAt: string;
  output: unknown;
}

/**
 * The attempt failed: a worker's error, a timeout, a lost worker, a rejected
 * approval. The retry policy decides what follows (see decideFailedAttempt).
 */
export interface FailAttempt extends AttemptRef {
  kind: 'fail';
  startedAt: string;
  error: TaskFailure;
  /** The latest heartbeat details, so the next attempt resumes from them. */
  heartbeatDetails?: unknown;
}

export type AttemptCommand = StartAttempt | CompleteAttempt | FailAttempt;
export type EndAttempt = CompleteAttempt | FailAttempt;
