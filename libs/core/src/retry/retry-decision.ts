import type { RetryPolicy } from '../workflow/workflow-definition';
import type { TaskFailure } from '../run/task-failure';

/** Delay before the attempt after `failedAttempt` (1-based): exponential, capped at maxInterval. */
export function nextAttemptDelay(policy: RetryPolicy, failedAttempt: number): number {
  const delay = policy.initialInterval * Math.pow(policy.backoffCoefficient, Math.max(0, failedAttempt - 1));
  return Math.round(Math.min(delay, policy.maxInterval));
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: 'non_retryable' | 'attempts_exhausted' };

/**
 * Whether a failed attempt gets another one. `maxAttempts` counts from the
 * task's current budget start, so a requeued dead letter (whose attempt
 * numbers continue) gets a fresh budget.
 */
export function retryDecision(policy: RetryPolicy, attemptInBudget: number, failure: TaskFailure): RetryDecision {
  if (failure.nonRetryable || policy.nonRetryable.includes(failure.type)) return { retry: false, reason: 'non_retryable' };
  if (attemptInBudget >= policy.maxAttempts) return { retry: false, reason: 'attempts_exhausted' };
  return { retry: true, delayMs: nextAttemptDelay(policy, attemptInBudget) };
}
