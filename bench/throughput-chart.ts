import { formatFigure, type Row } from './report';

export interface ChartPoint {
  size: number;
  flowctl: number;
  raw: number | null;
}

/** The fan-out throughput rows (metric tasks/s, with a size) as chart points, smallest first. */
export function throughputPoints(rows: readonly Row[]): ChartPoint[] {
  return rows
    .filter(
      (row) => row.metric === 'tasks/s' && row.size !== undefined && row.shape.startsWith('fan-out') && !row.shape.includes('embedded'),
    )
    .map((row) => ({ size: row.size!, flowctl: row.flowctl, raw: row.raw }))
    .sort((a, b) => a.size - b.size);
}

/** 1 / 2 / 5 steps up to at least `max`, so the axis ends on a round figure. */
export function niceCeiling(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** Grid lines on round figures: 5 for a ceiling of 1 or 5 (x 10^n), 4 for 2. */
export function gridLines(ceiling: number): number {
  const leading = Math.round(ceiling / 10 ** Math.floor(Math.log10(ceiling)));
  return leading === 2 ? 4 : 5;
}

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { top: 40, right: 150, bottom: 50, left: 70 };
const SERIES = [
  { key: 'flowctl', label: 'flowctl', colour: '#2563eb' },
  { key: 'raw', label: 'raw BullMQ', colour: '#9ca3af' },
] as const;

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Tasks/s against workflow size, flowctl beside raw BullMQ: a hand-written
 * SVG (grouped bars, one group per size) so the docs need no charting library.
 */
export function throughputChartSvg(points: readonly ChartPoint[], title = 'Fan-out throughput vs. workflow size'): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const top = niceCeiling(Math.max(0, ...points.flatMap((point) => [point.flowctl, point.raw ?? 0])));
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const group = plotWidth / Math.max(1, points.length);
  const bar = Math.min(40, (group * 0.7) / SERIES.length);
  const parts: string[] = [];

  parts.push(`<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);
  const ticks = gridLines(top);
  for (let tick = 0; tick <= ticks; tick++) {
    const value = (top / ticks) * tick;
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y(value)}" y2="${y(value)}" stroke="#e5e7eb"/>`,
      `<text x="${MARGIN.left - 8}" y="${y(value) + 4}" text-anchor="end" font-size="11">${formatFigure(value)}</text>`,
    );
  }
  parts.push(
    `<text x="18" y="${MARGIN.top + plotHeight / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 18 ${MARGIN.top + plotHeight / 2})">tasks/s</text>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 10}" text-anchor="middle" font-size="12">children in the fan-out</text>`,
  );
  points.forEach((point, index) => {
    const centre = MARGIN.left + group * (index + 0.5);
    SERIES.forEach((series, which) => {
      const value = point[series.key];
      const x = centre - (bar * SERIES.length) / 2 + bar * which;
      if (value === null) {
        parts.push(`<text x="${x + bar / 2}" y="${y(0) - 4}" text-anchor="middle" font-size="10">n/a</text>`);
        return;
      }
      parts.push(
        `<rect x="${x}" y="${y(value)}" width="${bar - 2}" height="${y(0) - y(value)}" fill="${series.colour}"><title>${escapeXml(`${series.label}: ${formatFigure(value)} tasks/s`)}</title></rect>`,
        `<text x="${x + bar / 2 - 1}" y="${y(value) - 4}" text-anchor="middle" font-size="10">${formatFigure(value)}</text>`,
      );
    });
    parts.push(`<text x="${centre}" y="${y(0) + 18}" text-anchor="middle" font-size="12">${point.size.toLocaleString('en-US')}</text>`);
  });
  SERIES.forEach((series, which) => {
    const legendY = MARGIN.top + 10 + which * 20;
    parts.push(
      `<rect x="${WIDTH - MARGIN.right + 16}" y="${legendY - 9}" width="12" height="12" fill="${series.colour}"/>`,
      `<text x="${WIDTH - MARGIN.right + 34}" y="${legendY + 1}" font-size="11">${escapeXml(series.label)}</text>`,
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
