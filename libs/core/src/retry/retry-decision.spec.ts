import { nextAttemptDelay, retryDecision } from './retry-decision';
import { DEFAULT_RETRY, type RetryPolicy } from '../workflow/workflow-definition';

const policy = (partial: Partial<RetryPolicy>): RetryPolicy => ({ ...DEFAULT_RETRY, ...partial });

describe('retry decisions', () => {
  it('backs off exponentially and caps at maxInterval', () => {
    const p = policy({ initialInterval: 1_000, backoffCoefficient: 2, maxInterval: 5_000 });
    expect([1, 2, 3, 4, 5].map((attempt) => nextAttemptDelay(p, attempt))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it('retries until the attempt budget is spent', () => {
    const p = policy({ maxAttempts: 3 });
    const failure = { type: 'Error', message: 'boom' };
    expect(retryDecision(p, 1, failure)).toEqual({ retry: true, delayMs: 1_000 });
    expect(retryDecision(p, 3, failure)).toEqual({ retry: false, reason: 'attempts_exhausted' });
  });

  it('never retries a non-retryable error type or a failure marked non-retryable', () => {
    const p = policy({ maxAttempts: 5, nonRetryable: ['ValidationError'] });
    expect(retryDecision(p, 1, { type: 'ValidationError', message: 'bad' })).toEqual({ retry: false, reason: 'non_retryable' });
    expect(retryDecision(p, 1, { type: 'Error', message: 'bad', nonRetryable: true })).toEqual({ retry: false, reason: 'non_retryable' });
  });
});
