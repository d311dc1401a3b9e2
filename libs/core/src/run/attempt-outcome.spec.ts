import { acceptsEnd, acceptsStart, decideFailedAttempt } from './attempt-outcome';
import { aRetryPolicy } from './testing/decision-factory';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const boom = { type: 'Boom', message: 'it broke' };
const attempt = (fields: Partial<Parameters<typeof decideFailedAttempt>[0]> = {}) => ({
  type: 'noop',
  attempt: 1,
  budgetStart: 1,
  retry: aRetryPolicy({ maxAttempts: 3, initialInterval: 1_000, backoffCoefficient: 2, maxInterval: 3_000 }),
  ...fields,
});

describe('acceptsStart and acceptsEnd', () => {
  it('apply a start only to the current attempt while it is queued', () => {
    expect(acceptsStart({ status: 'queued', attempt: 2 }, 2)).toBe(true);
    expect(acceptsStart({ status: 'running', attempt: 2 }, 2)).toBe(false);
    expect(acceptsStart({ status: 'queued', attempt: 2 }, 1)).toBe(false);
  });

  it('apply an end to the current attempt while it is queued or running, and once', () => {
    expect(acceptsEnd({ status: 'queued', attempt: 1 }, 1)).toBe(true);
    expect(acceptsEnd({ status: 'running', attempt: 1 }, 1)).toBe(true);
    for (const status of ['succeeded', 'failed', 'dead', 'retrying', 'cancelled', 'skipped', 'pending'] as const) {
      expect(acceptsEnd({ status, attempt: 1 }, 1)).toBe(false);
    }
  });

  it('drop a late report of an attempt that a retry replaced', () => {
    expect(acceptsEnd({ status: 'running', attempt: 3 }, 2)).toBe(false);
  });
});

describe('decideFailedAttempt', () => {
  it('retries with exponential backoff from now', () => {
    expect(decideFailedAttempt(attempt({ attempt: 1 }), boom, NOW)).toEqual({
      status: 'retrying',
      error: boom,
      delayMs: 1_000,
      retryAt: new Date(NOW + 1_000),
      nextAttempt: 2,
    });
    expect(decideFailedAttempt(attempt({ attempt: 2 }), boom, NOW)).toMatchObject({ status: 'retrying', delayMs: 2_000, nextAttempt: 3 });
  });

  it('caps the backoff at maxInterval', () => {
    const long = attempt({ attempt: 4, retry: aRetryPolicy({ maxAttempts: 10, initialInterval: 1_000, maxInterval: 3_000 }) });
    expect(decideFailedAttempt(long, boom, NOW)).toMatchObject({ delayMs: 3_000 });
  });

  it('makes the task dead when the last attempt of the budget fails', () => {
    expect(decideFailedAttempt(attempt({ attempt: 3 }), boom, NOW)).toEqual({ status: 'dead', error: boom, attempts: 3 });
  });

  it('counts attempts from the budget start of a requeued dead letter', () => {
    expect(decideFailedAttempt(attempt({ attempt: 4, budgetStart: 4 }), boom, NOW)).toMatchObject({ status: 'retrying', nextAttempt: 5 });
    expect(decideFailedAttempt(attempt({ attempt: 6, budgetStart: 4 }), boom, NOW)).toMatchObject({ status: 'dead', attempts: 3 });
  });

  it('fails without retry a failure marked non-retryable, or of a type the policy names', () => {
    expect(decideFailedAttempt(attempt(), { ...boom, nonRetryable: true }, NOW)).toMatchObject({ status: 'failed' });
    const policy = attempt({ retry: aRetryPolicy({ nonRetryable: ['Boom'] }) });
    expect(decideFailedAttempt(policy, boom, NOW)).toEqual({ status: 'failed', error: boom });
  });

  it('retries a timeout like any other failure', () => {
    expect(decideFailedAttempt(attempt(), { type: 'Timeout', message: 'late' }, NOW)).toMatchObject({ status: 'retrying' });
  });

  it('never retries a step the scheduler runs itself, and says so on its error', () => {
    for (const type of ['approval', 'workflow']) {
      expect(decideFailedAttempt(attempt({ type }), { type: 'Timeout', message: 'late' }, NOW)).toEqual({
        status: 'failed',
        error: { type: 'Timeout', message: 'late', nonRetryable: true },
      });
    }
  });

  it('makes a task with one attempt dead at its first failure', () => {
    expect(decideFailedAttempt(attempt({ retry: aRetryPolicy({ maxAttempts: 1 }) }), boom, NOW)).toMatchObject({
      status: 'dead',
      attempts: 1,
    });
  });
});
