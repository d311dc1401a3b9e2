import type { RunStatus, TaskStatus } from '@flowctl/api-contract';

/** Every status the dashboard colours: task states, run states, and a task of a definition that has not run. */
export type AnyStatus = TaskStatus | RunStatus | 'not_run';
export type ThemeName = 'light' | 'dark';

/**
 * One palette per theme, and the one place status colours are decided: the CSS
 * reads them as variables (`--status-succeeded`), the graph and the timeline as
 * values. Chosen so adjacent states differ in hue and in lightness (readable for
 * the common colour-vision deficiencies), and each passes 3:1 against its background.
 */
export const STATUS_COLORS: Record<ThemeName, Record<AnyStatus, string>> = {
  light: {
    not_run: '#c3cad5',
    pending: '#98a2b3',
    queued: '#6b7a99',
    running: '#2563eb',
    retrying: '#d97706',
    succeeded: '#15803d',
    failed: '#dc2626',
    dead: '#9d174d',
    skipped: '#b6bdc8',
    cancelled: '#a16207',
    timed_out: '#c2410c',
  },
  dark: {
    not_run: '#4b5563',
    pending: '#7b8494',
    queued: '#8b9bc0',
    running: '#60a5fa',
    retrying: '#fbbf24',
    succeeded: '#4ade80',
    failed: '#f87171',
    dead: '#f472b6',
    skipped: '#6b7280',
    cancelled: '#d6a34a',
    timed_out: '#fb923c',
  },
};

export const STATUS_LABELS: Record<AnyStatus, string> = {
  not_run: 'not run',
  pending: 'pending',
  queued: 'queued',
  running: 'running',
  retrying: 'retrying',
  succeeded: 'succeeded',
  failed: 'failed',
  dead: 'dead',
  skipped: 'skipped',
  cancelled: 'cancelled',
  timed_out: 'timed out',
};

export const statusColor = (status: AnyStatus, theme: ThemeName): string => STATUS_COLORS[theme][status] ?? STATUS_COLORS[theme].pending;

const TERMINAL_TASK: ReadonlySet<string> = new Set(['succeeded', 'failed', 'skipped', 'cancelled', 'dead']);
const TERMINAL_RUN: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

export const isTerminalTask = (status: string): boolean => TERMINAL_TASK.has(status);
export const isTerminalRun = (status: string): boolean => TERMINAL_RUN.has(status);
/** States where something is happening now: shown with motion. */
export const isActive = (status: string): boolean => status === 'running' || status === 'queued' || status === 'retrying';

/** Writes the palette as CSS variables on the document, so stylesheets and inline styles share it. */
export function applyStatusPalette(theme: ThemeName, target: HTMLElement = document.documentElement): void {
  for (const [status, color] of Object.entries(STATUS_COLORS[theme])) target.style.setProperty(`--status-${status}`, color);
}

/**
 * The status a collection of tasks shows as one (a group node): a failure
 * first, then whatever is still in motion, then the finished states.
 */
export function aggregateStatus(counts: Partial<Record<TaskStatus, number>>): TaskStatus {
  const order: TaskStatus[] = ['dead', 'failed', 'running', 'retrying', 'queued'];
  for (const status of order) if ((counts[status] ?? 0) > 0) return status;
  const total = Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
  if (total === 0) return 'pending';
  if ((counts.pending ?? 0) > 0) return (counts.succeeded ?? 0) > 0 ? 'running' : 'pending';
  if ((counts.cancelled ?? 0) > 0) return 'cancelled';
  if ((counts.succeeded ?? 0) > 0) return 'succeeded';
  return 'skipped';
}
