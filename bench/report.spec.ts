import { formatFigure, formatMarkdownTable, formatTable, median, percentile, type Row } from './report';

const aRow = (overrides: Partial<Row> = {}): Row => ({
  group: 'fanout',
  shape: 'fan-out 5,000',
  metric: 'tasks/s',
  flowctl: 1234.4,
  raw: 2000,
  ratio: 0.6172,
  ...overrides,
});

describe('percentile', () => {
  it('takes the nearest rank of the sorted samples, whatever their order', () => {
    const samples = [9, 1, 8, 2, 7, 3, 6, 4, 5, 10];
    expect(percentile(samples, 50)).toBe(5);
    expect(percentile(samples, 90)).toBe(9);
    expect(percentile(samples, 99)).toBe(10);
    expect(percentile(samples, 100)).toBe(10);
    expect(percentile(samples, 0)).toBe(1);
  });

  it('finds the tail of a long run of samples', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(samples, 99)).toBe(990);
    expect(median(samples)).toBe(500);
  });

  it('is NaN without samples and leaves its input unsorted', () => {
    expect(percentile([], 50)).toBeNaN();
    const samples = [3, 1, 2];
    median(samples);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe('formatFigure', () => {
  it('gives large figures no decimals and small ones enough to compare', () => {
    expect(formatFigure(12345.6)).toBe('12,346');
    expect(formatFigure(13.23)).toBe('13.2');
    expect(formatFigure(1.921)).toBe('1.92');
    expect(formatFigure(0)).toBe('0');
    expect(formatFigure(3)).toBe('3');
  });

  it('shows a missing figure as a dash', () => {
    expect(formatFigure(null)).toBe('-');
    expect(formatFigure(NaN)).toBe('-');
  });
});

describe('formatTable', () => {
  it('aligns the columns and shows a missing raw figure and ratio as dashes', () => {
    const table = formatTable([
      aRow(),
      aRow({ shape: 'scheduler RSS', metric: 'max MB', flowctl: 240, raw: null, ratio: null, target: '< 300' }),
    ]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^shape\s+metric\s+flowctl\s+raw BullMQ\s+ratio\s+target\s+note$/);
    expect(lines[1]).toMatch(/^fan-out 5,000\s+tasks\/s\s+1,234\s+2,000\s+0\.62$/);
    expect(lines[2]).toMatch(/^scheduler RSS\s+max MB\s+240\s+-\s+-\s+< 300$/);
    expect(lines[1]!.indexOf('tasks/s')).toBe(lines[2]!.indexOf('max MB'));
  });
});

describe('formatMarkdownTable', () => {
  it('writes a header, a rule and one line per row, escaping pipes', () => {
    const markdown = formatMarkdownTable([aRow({ note: 'a | b' })]).split('\n');
    expect(markdown[0]).toBe('| shape | metric | flowctl | raw BullMQ | ratio | target | note |');
    expect(markdown[1]).toBe('|---|---|---|---|---|---|---|');
    expect(markdown[2]).toBe('| fan-out 5,000 | tasks/s | 1,234 | 2,000 | 0.62 |  | a \\| b |');
  });
});
