/**
 * Between two batches the retention timer steps aside for this long, so a
 * backlog of millions of runs (retention just switched on) is worked off at a
 * steady trickle instead of one long burst of deletes competing with live runs.
 */
export const RETENTION_PAUSE_MS = 1_000;

/**
 * When the retention timer should next prune (epoch ms), after a batch: when
 * the oldest run left crosses the retention period, never sooner than a pause
 * from now. Still due at once means a full batch, rows skipped as locked or the
 * lease lost: all wait out the pause rather than loop. Runs finishing from now
 * on are due no sooner than now + retention, so the answer stays valid without
 * asking the database again until then.
 */
export function nextRetentionDue(earliestFinish: Date | null, retentionMs: number, now: number): number {
  const due = earliestFinish ? earliestFinish.getTime() + retentionMs : now + retentionMs;
  return Math.max(due, now + RETENTION_PAUSE_MS);
}
