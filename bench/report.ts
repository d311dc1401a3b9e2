/**
 * What a bench row is and how it is printed: pure functions, so the table,
 * the percentiles and the chart are unit-tested apart from the measuring.
 */

export interface Row {
  /** The --only name of the group that measured it. */
  group: string;
  shape: string;
  metric: string;
  flowctl: number;
  /** The raw-BullMQ figure of the same shape in the same run; null where no raw equivalent exists. */
  raw: number | null;
  /** flowctl relative to raw (or to the figure `note` names): >1 is better for flowctl on throughput, <1 on latency. */
  ratio: number | null;
  /** The target from issue 7, as text. */
  target?: string;
  note?: string;
  /** Tasks in the workflow, for the throughput chart. */
  size?: number;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);

/** A figure with as many decimals as its size needs: 12,345 / 123 / 12.3 / 1.23. */
export function formatFigure(value: number | null): string {
  if (value === null || Number.isNaN(value)) return '-';
  const magnitude = Math.abs(value);
  const decimals = Number.isInteger(value) || magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

const HEADER = ['shape', 'metric', 'flowctl', 'raw BullMQ', 'ratio', 'target', 'note'];

function cells(row: Row): string[] {
  return [
    row.shape,
    row.metric,
    formatFigure(row.flowctl),
    formatFigure(row.raw),
    row.ratio === null ? '-' : row.ratio.toFixed(2),
    row.target ?? '',
    row.note ?? '',
  ];
}

/** The rows as aligned plain-text columns, for the terminal. */
export function formatTable(rows: readonly Row[]): string {
  const table = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, column) => Math.max(...table.map((line) => line[column]!.length)));
  return table
    .map((line) =>
      line
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The rows as a Markdown table, for docs/performance.md. */
export function formatMarkdownTable(rows: readonly Row[]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `| ${HEADER.join(' | ')} |`,
    `|${HEADER.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${cells(row).map(escape).join(' | ')} |`),
  ].join('\n');
}
