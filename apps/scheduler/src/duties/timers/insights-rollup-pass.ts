const HOUR_MS = 3_600_000;
/** How often the rollups catch up: GET /insights reads what is newer from the tables themselves. */
export const ROLLUP_EVERY_MS = 5 * 60_000;
/**
 * A pass rolls up to this long ago (results of the last moments may still be on their way), and every
 * pass rewrites the REWRITTEN_MS before where the last one ended: a task run whose end is recorded late
 * (a worker's report applied after a scheduler restart carries the worker's end time) still counts.
 * The rollups so reach to within SETTLE_MS + ROLLUP_EVERY_MS of now, and a reader reads at most that
 * much from the tables.
 */
const SETTLE_MS = 2 * 60_000;
const REWRITTEN_MS = 2 * HOUR_MS;
/** One transaction rolls up at most 6 hours (a few seconds at 6,000 task runs an hour): a long history catches up pass by pass. */
const PASS_MS = 6 * HOUR_MS;

/**
 * The time [from, to) the next pass rewrites (epoch ms; `from` on the hour, as the rollups are rows per
 * hour), and whether more remains after it; none before the first run.
 */
export function nextRollupPass(
  rolledUntil: Date | null,
  firstHour: Date | null,
  now: number,
): { from: number; to: number; behind: boolean } | undefined {
  const target = now - SETTLE_MS;
  const from = rolledUntil ? Math.floor((rolledUntil.getTime() - REWRITTEN_MS) / HOUR_MS) * HOUR_MS : firstHour?.getTime();
  if (from === undefined || from >= target) return undefined;
  const to = Math.min(target, from + PASS_MS);
  return { from, to, behind: to < target };
}
