import type { Row } from './report';
import { gridLines, niceCeiling, throughputChartSvg, throughputPoints } from './throughput-chart';

const fanOut = (size: number, flowctl: number, raw: number | null, shape = `fan-out ${size}`): Row => ({
  group: 'fanout',
  shape,
  metric: 'tasks/s',
  flowctl,
  raw,
  ratio: raw === null ? null : flowctl / raw,
  size,
});

describe('throughputPoints', () => {
  it('takes the fan-out throughput rows by size, leaving out other metrics and embedded mode', () => {
    const rows: Row[] = [
      fanOut(100_000, 900, 1_700, 'fan-out 100,000 (forEach)'),
      fanOut(1_000, 500, 1_000),
      { ...fanOut(5_000, 300, 400, 'fan-out 5,000, embedded (PostgreSQL queues)') },
      { group: 'chain', shape: 'chain 200', metric: 'ms/hop', flowctl: 13, raw: 2, ratio: 6.5 },
      { group: 'fanout-100k', shape: 'scheduler RSS', metric: 'max MB', flowctl: 240, raw: null, ratio: null },
    ];
    expect(throughputPoints(rows)).toEqual([
      { size: 1_000, flowctl: 500, raw: 1_000 },
      { size: 100_000, flowctl: 900, raw: 1_700 },
    ]);
  });
});

describe('niceCeiling and gridLines', () => {
  it('rounds the axis up to 1, 2 or 5 times a power of ten', () => {
    expect(niceCeiling(1_734)).toBe(2_000);
    expect(niceCeiling(2_185)).toBe(5_000);
    expect(niceCeiling(5_000)).toBe(5_000);
    expect(niceCeiling(5_001)).toBe(10_000);
    expect(niceCeiling(0)).toBe(1);
  });

  it('draws grid lines on round figures', () => {
    expect(gridLines(2_000)).toBe(4);
    expect(gridLines(5_000)).toBe(5);
    expect(gridLines(10_000)).toBe(5);
  });
});

describe('throughputChartSvg', () => {
  const svg = throughputChartSvg([
    { size: 1_000, flowctl: 500, raw: 1_000 },
    { size: 100_000, flowctl: 1_000, raw: null },
  ]);

  it('is one SVG document with a bar per figure and a label per size', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<title>/g)).toHaveLength(3);
    expect(svg).toContain('>1,000</text>');
    expect(svg).toContain('>100,000</text>');
    expect(svg).toContain('>n/a</text>');
  });

  it('scales bars to the axis: the largest figure reaches the ceiling, half of it half the height', () => {
    const bars = [...svg.matchAll(/<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" fill="#(?:2563eb|9ca3af)"><title>/g)].map(
      (match) => Number(match[2]),
    );
    // flowctl 500, raw 1,000, flowctl 1,000 on an axis to 1,000.
    expect(bars[1]).toBeCloseTo(bars[2]!, 5);
    expect(bars[0]).toBeCloseTo(bars[1]! / 2, 5);
  });

  it('escapes text it is given', () => {
    expect(throughputChartSvg([], 'a < b & c')).toContain('a &lt; b &amp; c');
  });
});
