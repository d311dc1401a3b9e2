import { BenchUsageError, FULL_SIZES, GROUPS, mergeRows, parseBenchArgs, QUICK_SIZES } from './options';

describe('parseBenchArgs', () => {
  it('measures every group at full size by default', () => {
    expect(parseBenchArgs([])).toEqual({ groups: [...GROUPS], quick: false, sizes: FULL_SIZES });
  });

  it('picks groups with --only, in the order a full run measures them', () => {
    expect(parseBenchArgs(['--only', 'diamond,fanout']).groups).toEqual(['fanout', 'diamond']);
    expect(parseBenchArgs(['--only=fanout-100k', '--quick'])).toEqual({ groups: ['fanout-100k'], quick: true, sizes: QUICK_SIZES });
  });

  it('refuses unknown groups and arguments with the choices', () => {
    expect(() => parseBenchArgs(['--only', 'fanout,nope'])).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(['--only', 'nope'])).toThrow(/unknown row group nope; choose from fanout, chain/);
    expect(() => parseBenchArgs(['--only'])).toThrow(/--only needs/);
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown argument "--fast"/);
  });
});

describe('mergeRows', () => {
  it('replaces the rows of the measured groups and keeps the others', () => {
    const previous = [
      { group: 'fanout', value: 1 },
      { group: 'chain', value: 2 },
    ];
    expect(mergeRows(previous, [{ group: 'fanout', value: 3 }], ['fanout'])).toEqual([
      { group: 'chain', value: 2 },
      { group: 'fanout', value: 3 },
    ]);
  });
});
