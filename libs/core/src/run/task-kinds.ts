/**
 * The catalogue of task kinds: what the scheduler does with a task once it is
 * ready, decided by its `type` and whether it has `forEach`. Every place that
 * must tell the kinds apart (admission, retries, secrets, the queue
 * reconciliation, approvals) asks here rather than keeping its own list.
 *
 * - `worker`: a job on the queue of its type, taken by a worker. The built-in
 *   types (`shell`, `http`, `noop`, `sleep`, `fail`) are worker tasks too: the
 *   worker runs them, the scheduler never does.
 * - `approval`: no worker; the task waits, running, for a person's decision
 *   through the API.
 * - `child-run`: `type: workflow`; the scheduler starts a child run and the
 *   task ends as the child ends.
 * - `for-each`: the task expands into one instance per item (each of its own
 *   type's kind) and ends when the last instance ends; no job of its own.
 */
export type TaskKind = 'worker' | 'approval' | 'child-run' | 'for-each';

/** The `type` of an approval step. */
export const APPROVAL_TYPE = 'approval';
/** The `type` of a task that runs another workflow as a child run. */
export const CHILD_RUN_TYPE = 'workflow';

/** Recorded as the worker of an approval step: no worker process ran it. */
export const APPROVAL_WORKER = 'approval';
/** Recorded as the worker of a `workflow` task: the scheduler runs it by running the child. */
export const CHILD_RUN_WORKER = 'workflow';
/** Recorded as the worker of an attempt the scheduler ended before any worker reported it (a timeout). */
export const SCHEDULER_WORKER = 'scheduler';

/** Types a worker serves without custom code (the worker's default `FLOWCTL_WORKER_TYPES`). */
export const BUILT_IN_WORKER_TYPES = ['noop', 'sleep', 'fail', 'shell', 'http'] as const;

/** The kind of a task as written: `forEach` wins over the type (each instance then has the type's kind). */
export function kindOfTask(task: { type: string; forEach?: string }): TaskKind {
  if (task.forEach !== undefined) return 'for-each';
  return kindOfType(task.type);
}

/** The kind of a stored task run: a fan-out task is the one with an instance count. */
export function kindOfTaskRun(task: { type: string; instancesTotal: number | null }): TaskKind {
  if (task.instancesTotal !== null) return 'for-each';
  return kindOfType(task.type);
}

function kindOfType(type: string): TaskKind {
  if (type === APPROVAL_TYPE) return 'approval';
  if (type === CHILD_RUN_TYPE) return 'child-run';
  return 'worker';
}

/**
 * Types the scheduler carries out itself: no worker takes them off a queue, so
 * no worker fills a secret into their `with` (which is stored and shown) and a
 * retried attempt would have nobody to run it: their timeout, rejection or
 * child's failure is the answer.
 */
export function runsWithoutWorker(type: string): boolean {
  return kindOfType(type) !== 'worker';
}

/** Whether a task run in flight must have a job on a queue (what the queue reconciliation restores). */
export function hasQueueJob(task: { type: string; instancesTotal: number | null }): boolean {
  return kindOfTaskRun(task) === 'worker';
}
