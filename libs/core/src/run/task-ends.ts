import { canRunMoveTo, isTaskFailure, type RunStatus, type TaskStatus } from './states';
import type { TaskFailure } from './task-failure';
import type { UpstreamCounts } from './trigger-decision';

/** How an ended task counts for its dependents' trigger rules. */
export function upstreamResultOf(status: TaskStatus): keyof Omit<UpstreamCounts, 'total'> {
  if (status === 'succeeded') return 'succeeded';
  if (isTaskFailure(status)) return 'failed';
  return 'skipped';
}

/** A task that ends with the things it waited on: a fan-out task with its instances, a `workflow` task with its child run. */
export type CompositeEnd = { status: 'succeeded' } | { status: 'failed'; error: TaskFailure };

/** How far the instances of a `forEach` task got. */
export interface InstanceCounts {
  total: number;
  succeeded: number;
  /** Ended any other way (failed, dead, skipped, cancelled). */
  failed: number;
}

/** A fan-out task ends when its last instance ends: succeeded if every instance did, else failed. */
export function decideFanOutEnd(progress: InstanceCounts): CompositeEnd | undefined {
  if (progress.succeeded + progress.failed < progress.total) return undefined;
  if (progress.failed === 0) return { status: 'succeeded' };
  return {
    status: 'failed',
    error: {
      type: 'InstancesFailed',
      message: `${progress.failed} of ${progress.total} instances did not succeed`,
      details: { failed: progress.failed, total: progress.total },
    },
  };
}

/**
 * A `workflow` task ends as its child run ended. Not retried as a whole:
 * retries belong to the child's own tasks, where the work is.
 */
export function decideChildRunEnd(child: { id: string; status: RunStatus }): CompositeEnd {
  if (child.status === 'succeeded') return { status: 'succeeded' };
  return {
    status: 'failed',
    error: {
      type: 'ChildRunFailed',
      message: `child run ${child.id} ${child.status}`,
      nonRetryable: true,
      details: { childRunId: child.id, status: child.status },
    },
  };
}

/** A run's counters as the transaction left them. */
export interface RunCounters {
  status: RunStatus;
  tasksOpen: number;
  tasksFailed: number;
}

/**
 * A running run ends when its last open task closes: failed if any task
 * failed (or went dead), else succeeded. Undefined while it goes on.
 */
export function decideRunEnd(run: RunCounters): 'succeeded' | 'failed' | undefined {
  if (run.tasksOpen > 0 || !canRunMoveTo(run.status, 'succeeded')) return undefined;
  return run.tasksFailed > 0 ? 'failed' : 'succeeded';
}
