import type { InsightsRollupRepository } from '@flowctl/persistence';
import type { DataSource } from 'typeorm';
import { InsightsRollupTimer } from './insights-rollup.timer';

const NOW = Date.parse('2026-03-10T12:34:00Z');

function timerWith(state: { rolledUntil: Date | null; firstHour: Date | null }) {
  const passes: [string, string][] = [];
  const rollups = {
    rolledUntil: async () => state.rolledUntil,
    firstHour: async () => state.firstHour,
    rollUp: async (_tx: unknown, from: Date, to: Date) => {
      passes.push([from.toISOString(), to.toISOString()]);
      state.rolledUntil = to;
    },
  } as unknown as InsightsRollupRepository;
  const dataSource = { transaction: (work: (manager: unknown) => Promise<void>) => work({}) } as unknown as DataSource;
  return { timer: new InsightsRollupTimer(dataSource, rollups), passes };
}

describe('InsightsRollupTimer', () => {
  beforeEach(() => jest.useFakeTimers({ now: NOW }));
  afterEach(() => jest.useRealTimers());

  it('does nothing before the first run, and asks again in 5 minutes', async () => {
    const { timer, passes } = timerWith({ rolledUntil: null, firstHour: null });
    expect(await timer.fire()).toBe(false);
    expect(passes).toEqual([]);
    expect((await timer.nextDueAt())!.getTime()).toBe(NOW + 5 * 60_000);
  });

  it('catches a history up 6 hours a pass, each pass due at once, to the last hour over 5 minutes ago', async () => {
    const { timer, passes } = timerWith({ rolledUntil: null, firstHour: new Date('2026-03-10T00:00:00Z') });
    for (let i = 0; i < 3; i++) await timer.fire();
    expect(passes).toEqual([
      ['2026-03-10T00:00:00.000Z', '2026-03-10T06:00:00.000Z'],
      // Each pass rewrites the 2 hours before where the last one ended.
      ['2026-03-10T04:00:00.000Z', '2026-03-10T10:00:00.000Z'],
      ['2026-03-10T08:00:00.000Z', '2026-03-10T12:00:00.000Z'],
    ]);
    expect((await timer.nextDueAt())!.getTime()).toBe(NOW + 5 * 60_000);
    await timer.fire();
    expect(passes).toHaveLength(3);
  });

  it('once caught up, rewrites the last 2 hours every 5 minutes, and the new hour once it is over 5 minutes old', async () => {
    const { timer, passes } = timerWith({ rolledUntil: new Date('2026-03-10T12:00:00Z'), firstHour: new Date('2026-03-01T00:00:00Z') });
    await timer.fire();
    expect(passes).toEqual([['2026-03-10T10:00:00.000Z', '2026-03-10T12:00:00.000Z']]);
    jest.setSystemTime(Date.parse('2026-03-10T12:38:00Z'));
    await timer.fire();
    expect(passes).toHaveLength(1);
    jest.setSystemTime(Date.parse('2026-03-10T13:04:00Z'));
    await timer.fire();
    expect(passes[1]).toEqual(['2026-03-10T10:00:00.000Z', '2026-03-10T12:00:00.000Z']);
    jest.setSystemTime(Date.parse('2026-03-10T13:10:00Z'));
    await timer.fire();
    expect(passes[2]).toEqual(['2026-03-10T10:00:00.000Z', '2026-03-10T13:00:00.000Z']);
  });
});
