/** How long ago `at` was, in the coarse single unit kubectl shows in its AGE column: `5s`, `3m`, `2h`, `4d`. */
export function formatAge(at: string | null | undefined, now: Date): string {
  const time = parseTime(at);
  if (time === undefined) return '-';
  const seconds = Math.max(0, Math.floor((now.getTime() - time) / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** A span of time, precise enough to compare task runs: `350ms`, `2.5s`, `42s`, `3m12s`, `2h5m`, `1d3h`. */
export function formatElapsed(ms: number): string {
  const value = Math.max(0, Math.round(ms));
  if (value < 1000) return `${value}ms`;
  if (value < 10_000) return `${(Math.floor(value / 100) / 10).toFixed(1)}s`;
  const seconds = Math.floor(value / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return withRest(minutes, 'm', seconds % 60, 's');
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return withRest(hours, 'h', minutes % 60, 'm');
  return withRest(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

/** From start to finish, or to now while still running; `-` before it started. */
export function formatDurationBetween(start: string | null | undefined, finish: string | null | undefined, now: Date): string {
  const from = parseTime(start);
  if (from === undefined) return '-';
  const to = parseTime(finish) ?? now.getTime();
  return formatElapsed(to - from);
}

function withRest(value: number, unit: string, rest: number, restUnit: string): string {
  return rest === 0 ? `${value}${unit}` : `${value}${unit}${rest}${restUnit}`;
}

function parseTime(at: string | null | undefined): number | undefined {
  if (!at) return undefined;
  const time = Date.parse(at);
  return Number.isNaN(time) ? undefined : time;
}
