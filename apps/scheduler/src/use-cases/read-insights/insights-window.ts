import { InvalidInput } from '@flowctl/core';

/** The time range an insights answer covers, and the width of the buckets its series use. */
export interface InsightsWindow {
  since: Date;
  until: Date;
  bucketSeconds: number;
  /**
   * Past ROLLED_UP_AFTER_MS the answer comes from the hourly rollups (plus the hours not rolled up yet):
   * the window then starts on the hour and its series have buckets of an hour or more.
   */
  rolledUp: boolean;
}

const HOUR_MS = 3_600_000;
/** Up to this, a window reads runs and task_runs directly: exact percentiles, series by the minute. */
export const ROLLED_UP_AFTER_MS = 6 * HOUR_MS;

const DEFAULT_WINDOW_MS = 24 * 3_600_000;
/** Past this the queries would read months of task runs for one answer; a longer view is a reporting job. */
const MAX_WINDOW_MS = 90 * 24 * 3_600_000;
/** Series get at most this many points: enough for a chart's width, few enough to read at a glance. */
const MAX_BUCKETS = 200;
const BUCKET_SECONDS = [60, 300, 900, 3_600, 21_600, 86_400];
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 24 * 3_600_000, w: 7 * 24 * 3_600_000 };
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;
const DURATION = /^(\d{1,6})([smhdw])$/;

/**
 * `since` and `until` of GET /insights: an ISO 8601 time, or a duration back from `now` (`90m`, `24h`,
 * `7d`). Defaults: until now, since 24 hours before until.
 */
export function insightsWindow(since: unknown, until: unknown, now: Date): InsightsWindow {
  const end = timeOrAgo('until', until, now) ?? now;
  const start = timeOrAgo('since', since, now) ?? new Date(end.getTime() - DEFAULT_WINDOW_MS);
  const length = end.getTime() - start.getTime();
  if (length <= 0) throw new InvalidInput(`since (${start.toISOString()}) must be before until (${end.toISOString()})`);
  if (length > MAX_WINDOW_MS) throw new InvalidInput('the window from since to until must be at most 90 days');
  if (length <= ROLLED_UP_AFTER_MS) return { since: start, until: end, bucketSeconds: bucketSecondsFor(length), rolledUp: false };
  const onTheHour = new Date(Math.floor(start.getTime() / HOUR_MS) * HOUR_MS);
  return { since: onTheHour, until: end, bucketSeconds: Math.max(3_600, bucketSecondsFor(length)), rolledUp: true };
}

/** The narrowest bucket that keeps a series of the window within MAX_BUCKETS points: 1h by the minute, 24h by 15 minutes, 7d by the hour. */
export function bucketSecondsFor(windowMs: number): number {
  return BUCKET_SECONDS.find((seconds) => Math.ceil(windowMs / (seconds * 1_000)) <= MAX_BUCKETS) ?? BUCKET_SECONDS.at(-1)!;
}

/** The start of every bucket that overlaps the window, aligned to the Unix epoch as date_bin aligns them in SQL. */
export function bucketStarts(window: InsightsWindow): Date[] {
  const step = window.bucketSeconds * 1_000;
  const starts: Date[] = [];
  for (let at = Math.floor(window.since.getTime() / step) * step; at < window.until.getTime(); at += step) starts.push(new Date(at));
  return starts;
}

function timeOrAgo(name: string, value: unknown, now: Date): Date | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new InvalidInput(`${name} must be a string`);
  const ago = DURATION.exec(value);
  if (ago) {
    const ms = Number(ago[1]) * UNIT_MS[ago[2]!]!;
    if (ms === 0) throw new InvalidInput(`${name} must be a duration longer than 0, such as 24h`);
    return new Date(now.getTime() - ms);
  }
  const time = ISO_TIME.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(time))
    throw new InvalidInput(`${name} must be an ISO 8601 time such as 2026-01-31T12:00:00Z or a duration such as 90m, 24h or 7d`);
  return new Date(time);
}
