import { formatAge, formatDurationBetween, formatElapsed } from './time';

const now = new Date('2026-01-01T12:00:00.000Z');
const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString();

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [5_000, '5s'],
    [59_999, '59s'],
    [60_000, '1m'],
    [3 * 60_000 + 30_000, '3m'],
    [2 * 3_600_000 + 59 * 60_000, '2h'],
    [24 * 3_600_000, '1d'],
    [40 * 86_400_000, '40d'],
  ])('shows %i ms ago as %s', (ms, expected) => {
    expect(formatAge(ago(ms), now)).toBe(expected);
  });

  it('shows a clock skewed into the future as 0s and a missing time as -', () => {
    expect(formatAge(ago(-10_000), now)).toBe('0s');
    expect(formatAge(undefined, now)).toBe('-');
    expect(formatAge(null, now)).toBe('-');
    expect(formatAge('not a date', now)).toBe('-');
  });
});

describe('formatElapsed', () => {
  it.each([
    [350, '350ms'],
    [2_549, '2.5s'],
    [42_000, '42s'],
    [192_000, '3m12s'],
    [180_000, '3m'],
    [7_500_000, '2h5m'],
    [97_200_000, '1d3h'],
  ])('shows %i ms as %s', (ms, expected) => {
    expect(formatElapsed(ms)).toBe(expected);
  });
});

describe('formatDurationBetween', () => {
  it('measures to the finish, or to now while running, and shows - before the start', () => {
    expect(formatDurationBetween(ago(10_000), ago(7_000), now)).toBe('3.0s');
    expect(formatDurationBetween(ago(90_000), null, now)).toBe('1m30s');
    expect(formatDurationBetween(null, null, now)).toBe('-');
  });
});
