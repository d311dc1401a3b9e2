import type { RunEvent, TaskError } from '@flowctl/api-contract';

export type AttemptOutcome = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'skipped';

/** One attempt of one task, as the event history tells it. */
export interface Attempt {
  attempt: number;
  queuedAt?: string;
  startedAt?: string;
  finishedAt?: string;
  outcome: AttemptOutcome;
  workerId?: string;
  error?: TaskError;
  /** When the retry of this attempt was scheduled to run. */
  retryAt?: string;
  /** The task waits for a person (approval), not a worker. */
  waitingForApproval?: boolean;
}

/**
 * Every attempt of every task, from the run's events in order. Events without
 * an attempt number (a skip) belong to the task's latest attempt.
 */
export function attemptsByTask(events: readonly RunEvent[]): Map<string, Attempt[]> {
  const byTask = new Map<string, Attempt[]>();
  const current = (task: string, number: number | null): Attempt => {
    const list = byTask.get(task) ?? [];
    if (!byTask.has(task)) byTask.set(task, list);
    const wanted = number ?? list[list.length - 1]?.attempt ?? 1;
    let attempt = list.find((a) => a.attempt === wanted);
    if (!attempt) {
      attempt = { attempt: wanted, outcome: 'queued' };
      list.push(attempt);
    }
    return attempt;
  };
  for (const event of events) {
    if (!event.task) continue;
    const details = event.details ?? {};
    switch (event.type) {
      case 'task_queued': {
        const attempt = current(event.task, event.attempt);
        attempt.queuedAt ??= event.at;
        break;
      }
      case 'task_started': {
        const attempt = current(event.task, event.attempt);
        attempt.startedAt = event.at;
        attempt.outcome = 'running';
        if (typeof details.workerId === 'string') attempt.workerId = details.workerId;
        if (details.waitingForApproval === true) attempt.waitingForApproval = true;
        break;
      }
      case 'task_succeeded': {
        const attempt = current(event.task, event.attempt);
        attempt.finishedAt = event.at;
        attempt.outcome = 'succeeded';
        if (typeof details.workerId === 'string') attempt.workerId ??= details.workerId;
        break;
      }
      case 'task_failed': {
        const attempt = current(event.task, event.attempt);
        attempt.finishedAt = event.at;
        attempt.outcome = 'failed';
        if (details.error) attempt.error = details.error as TaskError;
        if (typeof details.workerId === 'string') attempt.workerId ??= details.workerId;
        break;
      }
      case 'task_retrying': {
        const attempt = current(event.task, event.attempt);
        if (typeof details.retryAt === 'string') attempt.retryAt = details.retryAt;
        break;
      }
      case 'task_cancelled':
      case 'task_skipped': {
        // A task skipped before it ever ran has no attempt to close.
        if (event.type === 'task_skipped' && !byTask.has(event.task)) break;
        const attempt = current(event.task, event.attempt);
        if (attempt.outcome === 'running' || attempt.outcome === 'queued') {
          attempt.outcome = event.type === 'task_cancelled' ? 'cancelled' : 'skipped';
          attempt.finishedAt = event.at;
        }
        break;
      }
      default:
        break;
    }
  }
  for (const list of byTask.values()) list.sort((a, b) => a.attempt - b.attempt);
  return byTask;
}
