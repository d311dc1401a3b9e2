import { retryDecision } from '../retry/retry-decision';
import type { RetryPolicy } from '../workflow/workflow-definition';
import { canTaskMoveTo, type TaskStatus } from './states';
import type { TaskFailure } from './task-failure';
import { runsWithoutWorker } from './task-kinds';

/** The attempt a report or command names, as the task run stands now. */
export interface CurrentAttempt {
  status: TaskStatus;
  attempt: number;
}

/**
 * Whether a start applies: only to the current attempt while it is queued. A
 * duplicate, or a late start after a cancel or a retry, is dropped.
 */
export function acceptsStart(task: CurrentAttempt, attempt: number): boolean {
  return task.attempt === attempt && canTaskMoveTo(task.status, 'running');
}

/**
 * Whether an end (a success or a failure) applies: only to the current attempt
 * while it is queued or running, so each attempt ends once.
 */
export function acceptsEnd(task: CurrentAttempt, attempt: number): boolean {
  return task.attempt === attempt && canTaskMoveTo(task.status, 'succeeded');
}

/** What a failed attempt leads to. */
export type FailedAttemptDecision =
  | { status: 'retrying'; error: TaskFailure; delayMs: number; retryAt: Date; nextAttempt: number }
  | { status: 'failed'; error: TaskFailure }
  | { status: 'dead'; error: TaskFailure; attempts: number };

export interface FailedAttempt {
  type: string;
  attempt: number;
  /** The first attempt of the current retry budget (a requeued dead letter starts a fresh one). */
  budgetStart: number;
  retry: RetryPolicy;
}

/**
 * Retry, fail, or dead-letter a failed attempt. A failure marked non-retryable
 * (or of a type the policy names so) fails the task; one that used the last
 * attempt of the budget makes it dead, with a dead letter to requeue by hand.
 * Steps the scheduler runs itself (an approval, a child run) are never retried:
 * their timeout or rejection is the answer, and no worker would take a retried
 * attempt off a queue.
 */
export function decideFailedAttempt(task: FailedAttempt, failure: TaskFailure, now: number): FailedAttemptDecision {
  const error: TaskFailure = runsWithoutWorker(task.type) ? { ...failure, nonRetryable: true } : failure;
  const attempts = task.attempt - task.budgetStart + 1;
  const decision = retryDecision(task.retry, attempts, error);
  if (decision.retry)
    return {
      status: 'retrying',
      error,
      delayMs: decision.delayMs,
      retryAt: new Date(now + decision.delayMs),
      nextAttempt: task.attempt + 1,
    };
  if (decision.reason === 'non_retryable') return { status: 'failed', error };
  return { status: 'dead', error, attempts };
}
