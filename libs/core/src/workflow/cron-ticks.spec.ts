import { nextTick, ticksBetween } from './cron-ticks';

describe('cron ticks', () => {
  it('finds the next tick in the schedule time zone', () => {
    expect(nextTick({ cron: '0 2 * * *', timezone: 'Europe/Paris' }, new Date('2026-11-23T12:00:00Z')).toISOString()).toBe(
      '2026-11-24T01:00:00.000Z',
    );
  });

  it('is strictly after the given time, so a tick never fires twice', () => {
    const tick = new Date('2026-11-23T02:00:00Z');
    expect(nextTick({ cron: '0 2 * * *', timezone: 'UTC' }, tick).toISOString()).toBe('2026-11-24T02:00:00.000Z');
  });

  it('lists the ticks of a range, bounded', () => {
    const schedule = { cron: '0 * * * *', timezone: 'UTC' };
    const ticks = ticksBetween(schedule, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T03:00:00Z'), 100);
    expect(ticks.map((t) => t.toISOString())).toEqual(['2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z', '2026-01-01T03:00:00.000Z']);
    expect(ticksBetween(schedule, new Date('2026-01-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z'), 5)).toHaveLength(5);
  });
});
