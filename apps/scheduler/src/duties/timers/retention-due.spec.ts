import { nextRetentionDue, RETENTION_PAUSE_MS } from './retention-due';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-06-01T12:00:00Z');

describe('nextRetentionDue', () => {
  it('sleeps until the oldest finished run left crosses the retention period', () => {
    expect(nextRetentionDue(new Date(NOW - 2 * HOUR), 24 * HOUR, NOW)).toBe(NOW + 22 * HOUR);
  });

  it('waits a pause, not zero, while a backlog is still due', () => {
    expect(nextRetentionDue(new Date(NOW - 10 * HOUR), HOUR, NOW)).toBe(NOW + RETENTION_PAUSE_MS);
    expect(RETENTION_PAUSE_MS).toBeGreaterThan(0);
  });

  it('with nothing finished, is due a whole retention period from now', () => {
    expect(nextRetentionDue(null, HOUR, NOW)).toBe(NOW + HOUR);
  });

  it('never answers sooner than the pause, even for a retention shorter than it', () => {
    expect(nextRetentionDue(new Date(NOW), 10, NOW)).toBe(NOW + RETENTION_PAUSE_MS);
  });
});
