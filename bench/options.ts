/** The row groups `npm run bench -- --only a,b` can pick, in the order a full run measures them. */
export const GROUPS = [
  'fanout',
  'chain',
  'fanout-1k',
  'fanout-20k',
  'fanout-100k',
  'diamond',
  'post-rate',
  'events',
  'embedded',
  'http',
  'python',
  'insights',
  'logs',
] as const;
export type Group = (typeof GROUPS)[number];

export interface Sizes {
  fanOut: number;
  chain: number;
  fanOutSmall: number;
  fanOutLarge: number;
  fanOutHuge: number;
  diamonds: number;
  postRate: number;
  postSeconds: number;
  /** Events sent per second by the events row, each starting a run, and for how long. */
  eventRate: number;
  eventSeconds: number;
  embeddedFanOut: number;
  /** Long polls held open, idle, for the HTTP worker protocol's cost row. */
  idlePollers: number;
  pythonFanOut: number;
  /** Task runs of the history GET /insights reads (five per run, over seven days). */
  insightsTaskRuns: number;
  /** Children of the fan-out that logs 10 lines each (beside the same fan-out silent). */
  logsFanOut: number;
  /** Children of the fan-out whose tasks log `logsLinesPerTask` lines each. */
  logsHeavyFanOut: number;
  logsLinesPerTask: number;
}

/** The sizes of issue 7's table. */
export const FULL_SIZES: Sizes = {
  fanOut: 5_000,
  chain: 200,
  fanOutSmall: 1_000,
  fanOutLarge: 20_000,
  fanOutHuge: 100_000,
  diamonds: 1_000,
  postRate: 200,
  postSeconds: 30,
  eventRate: 500,
  eventSeconds: 30,
  embeddedFanOut: 5_000,
  idlePollers: 200,
  pythonFanOut: 5_000,
  insightsTaskRuns: 1_000_000,
  logsFanOut: 5_000,
  logsHeavyFanOut: 200,
  logsLinesPerTask: 10_000,
};

/** --quick: every row in about a tenth of the work, to check the bench itself, not to publish. */
export const QUICK_SIZES: Sizes = {
  fanOut: 1_000,
  chain: 50,
  fanOutSmall: 200,
  fanOutLarge: 2_000,
  fanOutHuge: 10_000,
  diamonds: 100,
  postRate: 200,
  postSeconds: 5,
  eventRate: 500,
  eventSeconds: 10,
  embeddedFanOut: 500,
  idlePollers: 50,
  pythonFanOut: 1_000,
  insightsTaskRuns: 100_000,
  logsFanOut: 1_000,
  logsHeavyFanOut: 20,
  logsLinesPerTask: 10_000,
};

export interface BenchOptions {
  groups: Group[];
  quick: boolean;
  sizes: Sizes;
}

export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

/** `--only fanout-100k,diamond` (or `--only=...`) and `--quick`; anything else is a usage error. */
export function parseBenchArgs(args: readonly string[]): BenchOptions {
  let only: string | undefined;
  let quick = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--quick') quick = true;
    else if (arg === '--only') only = args[++i] ?? '';
    else if (arg.startsWith('--only=')) only = arg.slice('--only='.length);
    else throw new BenchUsageError(`unknown argument "${arg}"; use --quick and --only ${GROUPS.join(',')}`);
  }
  if (only !== undefined && only.trim() === '') throw new BenchUsageError(`--only needs one or more of ${GROUPS.join(', ')}`);
  const picked = only === undefined ? [...GROUPS] : only.split(',').map((name) => name.trim());
  const unknown = picked.filter((name) => !(GROUPS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new BenchUsageError(`unknown row group ${unknown.join(', ')}; choose from ${GROUPS.join(', ')}`);
  return { groups: GROUPS.filter((group) => picked.includes(group)), quick, sizes: quick ? QUICK_SIZES : FULL_SIZES };
}

/** Rows of an earlier run whose group was not measured now are kept, so `--only` refreshes only its rows. */
export function mergeRows<T extends { group: string }>(previous: readonly T[], fresh: readonly T[], measured: readonly string[]): T[] {
  return [...previous.filter((row) => !measured.includes(row.group)), ...fresh];
}
