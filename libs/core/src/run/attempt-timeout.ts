import type { TaskStatus } from './states';
import type { TaskFailure } from './task-failure';

export type TimeoutKind = 'scheduleToStart' | 'startToClose' | 'heartbeat';

/** An attempt past one of its deadlines, as the timeout query finds it. */
export interface OverdueAttempt {
  status: TaskStatus;
  attempt: number;
  heartbeatAt: Date | null;
  heartbeatTimeoutMs: number | null;
  timeoutMs: number | null;
  scheduleToStartMs: number | null;
}

/**
 * Which deadline an overdue attempt passed: a queued one never started in
 * time; a running one went silent past its heartbeat timeout, or else ran past
 * start-to-close.
 */
export function passedTimeout(task: OverdueAttempt, now: number): TimeoutKind {
  if (task.status === 'queued') return 'scheduleToStart';
  const heartbeatDeadline =
    task.heartbeatTimeoutMs !== null && task.heartbeatAt ? task.heartbeatAt.getTime() + task.heartbeatTimeoutMs : Infinity;
  return heartbeatDeadline <= now ? 'heartbeat' : 'startToClose';
}

/** The failure an overdue attempt ends with: type `Timeout`, retried like any other failure. */
export function timeoutFailure(task: OverdueAttempt, now: number): TaskFailure {
  const which = passedTimeout(task, now);
  const limit = which === 'scheduleToStart' ? task.scheduleToStartMs : which === 'heartbeat' ? task.heartbeatTimeoutMs : task.timeoutMs;
  return {
    type: 'Timeout',
    message: `attempt ${task.attempt} exceeded its ${which} timeout of ${limit}ms`,
    details: { timeout: which, limitMs: limit },
  };
}
