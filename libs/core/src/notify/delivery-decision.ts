import { nextAttemptDelay } from '../retry/retry-decision';

/** How deliveries of run notifications are retried (the scheduler's FLOWCTL_NOTIFY_* settings). */
export interface DeliveryRetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** No attempt starts later than this after the delivery was written. */
  maxAgeMs: number;
  initialIntervalMs: number;
  maxIntervalMs: number;
}

export type DeliveryDecision =
  | { status: 'delivered' }
  | { status: 'pending'; retryAt: Date }
  | { status: 'failed'; reason: 'attempts_exhausted' | 'too_old' | 'refused' };

/**
 * What a delivery does after an attempt: a 2xx answer delivers it; a refusal by the destination
 * policy, a redirect (not followed) or a 4xx other than 408 and 429 (which say "later") will not
 * change by asking again;
 * anything else waits an exponential backoff (doubling from the initial interval up to the
 * maximum) while attempts and age remain.
 */
export function deliveryDecision(
  outcome: { statusCode: number | null; refused: boolean },
  attempt: number,
  createdAt: Date,
  now: Date,
  policy: DeliveryRetryPolicy,
): DeliveryDecision {
  const { statusCode } = outcome;
  if (statusCode !== null && statusCode >= 200 && statusCode < 300) return { status: 'delivered' };
  if (outcome.refused || (statusCode !== null && statusCode >= 300 && statusCode < 500 && statusCode !== 408 && statusCode !== 429)) {
    return { status: 'failed', reason: 'refused' };
  }
  if (attempt >= policy.maxAttempts) return { status: 'failed', reason: 'attempts_exhausted' };
  const delay = nextDeliveryDelay(policy, attempt);
  const retryAt = new Date(now.getTime() + delay);
  if (retryAt.getTime() - createdAt.getTime() > policy.maxAgeMs) return { status: 'failed', reason: 'too_old' };
  return { status: 'pending', retryAt };
}

/** Wait after failed attempt `attempt` (1-based). */
export function nextDeliveryDelay(policy: DeliveryRetryPolicy, attempt: number): number {
  return nextAttemptDelay(
    {
      maxAttempts: policy.maxAttempts,
      initialInterval: policy.initialIntervalMs,
      backoffCoefficient: 2,
      maxInterval: policy.maxIntervalMs,
      nonRetryable: [],
    },
    attempt,
  );
}
