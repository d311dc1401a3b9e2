/**
 * Run and task-run states, with the transitions the engine may make. One module
 * so the API, the database and the dashboard all speak the same words.
 */
export type RunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
export const RUN_STATUSES: readonly RunStatus[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'];

export type TaskStatus = 'pending' | 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'dead';
export const TASK_STATUSES: readonly TaskStatus[] = [
  'pending',
  'queued',
  'running',
  'retrying',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
  'dead',
];

const RUN_TRANSITIONS: Record<RunStatus, readonly RunStatus[]> = {
  pending: ['running', 'cancelled', 'timed_out'],
  running: ['succeeded', 'failed', 'cancelled', 'timed_out'],
  // A failed run may be retried from its failed tasks (POST /runs/:id/retry),
  // and a dead letter's requeue lets its run go on.
  failed: ['running'],
  succeeded: [],
  cancelled: [],
  timed_out: [],
};

const TASK_TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  pending: ['queued', 'skipped', 'cancelled'],
  queued: ['running', 'succeeded', 'failed', 'retrying', 'dead', 'cancelled'],
  running: ['succeeded', 'failed', 'retrying', 'dead', 'cancelled'],
  retrying: ['queued', 'cancelled'],
  succeeded: [],
  failed: ['queued'],
  skipped: ['queued'],
  cancelled: ['queued'],
  dead: ['queued'],
};

export const isTaskTerminal = (status: TaskStatus): boolean =>
  status === 'succeeded' || status === 'failed' || status === 'skipped' || status === 'cancelled' || status === 'dead';

/** Terminal states that count as "did not succeed" for dependents. */
export const isTaskFailure = (status: TaskStatus): boolean => status === 'failed' || status === 'dead';

export const canRunMoveTo = (from: RunStatus, to: RunStatus): boolean => RUN_TRANSITIONS[from].includes(to);
export const canTaskMoveTo = (from: TaskStatus, to: TaskStatus): boolean => TASK_TRANSITIONS[from].includes(to);
