import { nextRollupPass } from './insights-rollup-pass';

const at = (iso: string) => Date.parse(iso);
const pass = (from: string, to: string, behind: boolean) => ({ from: at(from), to: at(to), behind });

describe('nextRollupPass', () => {
  it('has nothing to do before the first run', () => {
    expect(nextRollupPass(null, null, at('2026-03-10T12:34:00Z'))).toBeUndefined();
  });

  it('catches a history up 6 hours a pass, to 2 minutes ago', () => {
    const now = at('2026-03-10T12:34:00Z');
    expect(nextRollupPass(null, new Date('2026-03-10T00:00:00Z'), now)).toEqual(pass('2026-03-10T00:00:00Z', '2026-03-10T06:00:00Z', true));
    // Each pass starts 2 hours before where the last one ended: those hours are rewritten.
    expect(nextRollupPass(new Date('2026-03-10T06:00:00Z'), null, now)).toEqual(pass('2026-03-10T04:00:00Z', '2026-03-10T10:00:00Z', true));
    expect(nextRollupPass(new Date('2026-03-10T10:00:00Z'), null, now)).toEqual(
      pass('2026-03-10T08:00:00Z', '2026-03-10T12:32:00Z', false),
    );
  });

  it('once caught up, rewrites from the hour 2 hours before where it ended up to 2 minutes ago', () => {
    const rolled = new Date('2026-03-10T12:32:00Z');
    expect(nextRollupPass(rolled, null, at('2026-03-10T12:37:00Z'))).toEqual(pass('2026-03-10T10:00:00Z', '2026-03-10T12:35:00Z', false));
    expect(nextRollupPass(rolled, null, at('2026-03-10T13:06:00Z'))).toEqual(pass('2026-03-10T10:00:00Z', '2026-03-10T13:04:00Z', false));
  });
});
