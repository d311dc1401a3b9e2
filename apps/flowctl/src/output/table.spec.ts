import { formatTable, truncate } from './table';

describe('formatTable', () => {
  it('aligns columns three spaces apart without trailing blanks', () => {
    expect(
      formatTable(
        ['NAME', 'STATUS', 'AGE'],
        [
          ['extract', 'succeeded', '5s'],
          ['load', 'pending', ''],
        ],
      ),
    ).toBe(['NAME      STATUS      AGE', 'extract   succeeded   5s', 'load      pending', ''].join('\n'));
  });

  it('prints only the header for no rows', () => {
    expect(formatTable(['ID', 'WORKFLOW'], [])).toBe('ID   WORKFLOW\n');
  });

  it('keeps every cell on one line', () => {
    expect(formatTable(['ERROR'], [['first line\n  second line']])).toBe('ERROR\nfirst line second line\n');
  });
});

describe('truncate', () => {
  it('shortens long text with an ellipsis and leaves short text alone', () => {
    expect(truncate('abcdefghij', 8)).toBe('abcde...');
    expect(truncate('short', 8)).toBe('short');
  });
});
