import { InvalidInput } from '@flowctl/core';
import { bucketSecondsFor, bucketStarts, insightsWindow } from './insights-window';

const NOW = new Date('2026-03-10T12:34:56.000Z');
const HOUR = 3_600_000;

describe('insightsWindow', () => {
  it('defaults to the 24 hours before now, from the hourly rollups: from the hour, in hours', () => {
    expect(insightsWindow(undefined, undefined, NOW)).toEqual({
      since: new Date('2026-03-09T12:00:00.000Z'),
      until: NOW,
      bucketSeconds: 3_600,
      rolledUp: true,
    });
  });

  it('reads up to 6 hours exactly as given, by the minute or by 5 minutes', () => {
    expect(insightsWindow('6h', undefined, NOW)).toEqual({
      since: new Date(NOW.getTime() - 6 * HOUR),
      until: NOW,
      bucketSeconds: 300,
      rolledUp: false,
    });
  });

  it('reads durations back from now and ISO times', () => {
    expect(insightsWindow('7d', '1h', NOW)).toEqual({
      since: new Date('2026-03-03T12:00:00.000Z'),
      until: new Date(NOW.getTime() - HOUR),
      bucketSeconds: 3_600,
      rolledUp: true,
    });
    const window = insightsWindow('2026-03-10T10:00:00Z', '2026-03-10T11:00:00+00:00', NOW);
    expect(window).toEqual({
      since: new Date('2026-03-10T10:00:00Z'),
      until: new Date('2026-03-10T11:00:00Z'),
      bucketSeconds: 60,
      rolledUp: false,
    });
  });

  it('refuses what is not a window, saying why', () => {
    expect(() => insightsWindow('yesterday', undefined, NOW)).toThrow(InvalidInput);
    expect(() => insightsWindow('yesterday', undefined, NOW)).toThrow(/since must be an ISO 8601 time/);
    expect(() => insightsWindow(undefined, '5x', NOW)).toThrow(/until must be/);
    expect(() => insightsWindow('0h', undefined, NOW)).toThrow(/longer than 0/);
    expect(() => insightsWindow('1h', '2h', NOW)).toThrow(/must be before until/);
    expect(() => insightsWindow('91d', undefined, NOW)).toThrow(/at most 90 days/);
    expect(() => insightsWindow(['1h'], undefined, NOW)).toThrow(/since must be a string/);
  });
});

describe('buckets', () => {
  it('keeps every series within 200 points', () => {
    expect(bucketSecondsFor(HOUR)).toBe(60);
    expect(bucketSecondsFor(24 * HOUR)).toBe(900);
    expect(bucketSecondsFor(7 * 24 * HOUR)).toBe(3_600);
    expect(bucketSecondsFor(30 * 24 * HOUR)).toBe(21_600);
    expect(bucketSecondsFor(90 * 24 * HOUR)).toBe(86_400);
  });

  it('starts at the epoch-aligned bucket holding since and ends with the one holding until', () => {
    const starts = bucketStarts({
      since: new Date('2026-03-10T10:07:30Z'),
      until: new Date('2026-03-10T10:30:00Z'),
      bucketSeconds: 900,
      rolledUp: false,
    });
    expect(starts.map((at) => at.toISOString())).toEqual(['2026-03-10T10:00:00.000Z', '2026-03-10T10:15:00.000Z']);
  });
});
