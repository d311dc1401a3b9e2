import { passedTimeout, timeoutFailure, type OverdueAttempt } from './attempt-timeout';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const overdue = (fields: Partial<OverdueAttempt> = {}): OverdueAttempt => ({
  status: 'running',
  attempt: 2,
  heartbeatAt: null,
  heartbeatTimeoutMs: null,
  timeoutMs: 60_000,
  scheduleToStartMs: null,
  ...fields,
});

describe('passedTimeout', () => {
  it('blames schedule-to-start for an attempt still queued', () => {
    expect(passedTimeout(overdue({ status: 'queued', scheduleToStartMs: 5_000 }), NOW)).toBe('scheduleToStart');
  });

  it('blames the heartbeat timeout once the last heartbeat is that old', () => {
    const silent = overdue({ heartbeatTimeoutMs: 10_000, heartbeatAt: new Date(NOW - 10_000) });
    expect(passedTimeout(silent, NOW)).toBe('heartbeat');
  });

  it('blames start-to-close for a running attempt whose heartbeats are fresh or not asked for', () => {
    expect(passedTimeout(overdue({ heartbeatTimeoutMs: 10_000, heartbeatAt: new Date(NOW - 9_999) }), NOW)).toBe('startToClose');
    expect(passedTimeout(overdue(), NOW)).toBe('startToClose');
    expect(passedTimeout(overdue({ heartbeatTimeoutMs: 10_000, heartbeatAt: null }), NOW)).toBe('startToClose');
  });
});

describe('timeoutFailure', () => {
  it('names the timeout and its limit, retryable like any failure', () => {
    expect(timeoutFailure(overdue(), NOW)).toEqual({
      type: 'Timeout',
      message: 'attempt 2 exceeded its startToClose timeout of 60000ms',
      details: { timeout: 'startToClose', limitMs: 60_000 },
    });
    expect(timeoutFailure(overdue({ status: 'queued', scheduleToStartMs: 5_000 }), NOW).details).toEqual({
      timeout: 'scheduleToStart',
      limitMs: 5_000,
    });
  });
});
