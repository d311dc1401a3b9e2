const HOUR_MS = 3_600_000;
/** How often the rollups catch up: GET /insights reads what is newer from the tables themselves. */
export const ROLLUP_EVERY_MS = 5 * 60_000;
/**
 * An hour is rolled up once it has been over this long (results of its last minutes may still be on
 * their way), and rewritten on every pass for REWRITTEN_MS after: a task run whose end is recorded late
 * (a worker's report applied after a scheduler restart carries the worker's end time) still counts.
 */
const SETTLE_MS = 5 * 60_000;
const REWRITTEN_MS = 2 * HOUR_MS;
/** One transaction rolls up at most 6 hours (a few seconds at 6,000 task runs an hour): a long history catches up pass by pass. */
const PASS_MS = 6 * HOUR_MS;

/** The hours [from, to) the next pass rewrites (epoch ms), and whether more remain after it; none before the first run. */
export function nextRollupPass(
  rolledUntil: Date | null,
  firstHour: Date | null,
  now: number,
): { from: number; to: number; behind: boolean } | undefined {
  const target = Math.floor((now - SETTLE_MS) / HOUR_MS) * HOUR_MS;
  const from = rolledUntil ? rolledUntil.getTime() - REWRITTEN_MS : firstHour?.getTime();
  if (from === undefined || from >= target) return undefined;
  const to = Math.min(target, from + PASS_MS);
  return { from, to, behind: to < target };
}
