import type { FanOutSummary, RunEvent, Task, TaskError } from '@flowctl/api-contract';
import { TASK_STATUS_AFTER } from '@flowctl/api-contract';

/** What each task event says about the task's state (the contract's table); the stream's fresh rows, when sent, win over it. */
const STATUS_AFTER = TASK_STATUS_AFTER;

/** A task the stream mentions before the dashboard has its row (a forEach instance created just now). */
export const placeholderTask = (name: string): Task => ({
  id: `pending:${name}`,
  name,
  type: '',
  status: 'pending',
  attempt: 0,
  input: null,
  output: null,
  error: null,
  workerId: null,
  heartbeatDetails: null,
  heartbeatAt: null,
  queuedAt: null,
  startedAt: null,
  finishedAt: null,
  retryAt: null,
  priority: 3,
  parentTaskRunId: null,
  itemIndex: null,
  instancesTotal: null,
});

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The task after one of its events. Pure: returns the same object when the event changes nothing. */
export function applyTaskEvent(task: Task, event: RunEvent): Task {
  const status = STATUS_AFTER[event.type];
  if (!status) return task;
  const details = event.details ?? {};
  const next: Task = { ...task, status, attempt: event.attempt ?? task.attempt };
  switch (event.type) {
    case 'task_queued':
      return { ...next, queuedAt: event.at, startedAt: null, finishedAt: null, retryAt: null };
    case 'task_started':
      return { ...next, startedAt: event.at, finishedAt: null, workerId: text(details.workerId) ?? task.workerId };
    case 'task_succeeded':
      return { ...next, finishedAt: event.at, error: null };
    case 'task_failed':
      return { ...next, finishedAt: event.at, error: (details.error as TaskError | undefined) ?? task.error };
    case 'task_retrying':
      return { ...next, retryAt: text(details.retryAt) ?? null };
    case 'task_dead':
    case 'task_skipped':
    case 'task_cancelled':
      return { ...next, finishedAt: event.at };
    case 'task_requeued':
      return { ...next, attempt: task.attempt, finishedAt: null };
    default:
      return next;
  }
}

/**
 * Applies a live delta to the run's tasks in event order: the result is the
 * stored state even when the snapshot had already seen some of these events.
 * Returns a new Map only when something changed, so unchanged tasks keep their
 * identity and their graph nodes do not re-render.
 */
export function applyEvents(
  tasks: ReadonlyMap<string, Task>,
  events: readonly RunEvent[],
  rows: readonly Task[] = [],
  counted: ReadonlyMap<string, unknown> = NONE,
): Map<string, Task> {
  const next = new Map(tasks);
  for (const event of events) {
    // The instances of a counted fan-out are not held one by one: the stream sends their counts.
    if (event.task && isInstanceOf(counted, event.task)) continue;
    if (event.type === 'run_retried') {
      const reopened = Array.isArray(event.details?.tasks) ? (event.details.tasks as unknown[]) : [];
      for (const name of reopened) {
        const task = typeof name === 'string' ? next.get(name) : undefined;
        if (task) next.set(task.name, { ...task, status: 'pending', finishedAt: null });
      }
      continue;
    }
    if (!event.task) continue;
    const current = next.get(event.task) ?? placeholderTask(event.task);
    const updated = applyTaskEvent(current, event);
    if (updated !== current || !next.has(event.task)) next.set(event.task, updated);
  }
  for (const row of rows) if (!isInstanceOf(counted, row.name)) next.set(row.name, row);
  return next;
}

const NONE: ReadonlyMap<string, unknown> = new Map();
const INSTANCE = /^(.+)\[\d+\]$/;

/** The forEach task `name` is an instance of (`each[12]` -> `each`), if it is one. */
export const fanOutOf = (name: string): string | undefined => INSTANCE.exec(name)?.[1];

/** Whether `name` is an instance of one of these fan-outs. */
export const isInstanceOf = (fanOuts: ReadonlyMap<string, unknown>, name: string): boolean => {
  if (fanOuts.size === 0) return false;
  const parent = fanOutOf(name);
  return parent !== undefined && fanOuts.has(parent);
};

/** Merges the counts the stream sent into the ones held; unchanged when it sent none. */
export function mergeFanOuts(
  held: ReadonlyMap<string, FanOutSummary>,
  incoming: readonly FanOutSummary[] | undefined,
): ReadonlyMap<string, FanOutSummary> {
  if (!incoming || incoming.length === 0) return held;
  const next = new Map(held);
  for (const summary of incoming) next.set(summary.task, summary);
  return next;
}

/** The events kept in memory, and whether older ones are on the server only. */
export interface History {
  events: readonly RunEvent[];
  /** Events before this id were not loaded (or were let go); null: the history is whole. */
  earlierBefore: string | null;
}

/**
 * Keeps the latest `cap` events: a run of 10,000 tasks, or of many failing
 * instances, still sends more live than the timeline draws. What is let go
 * stays loadable by id.
 */
export function capHistory(history: History, cap: number): History {
  if (history.events.length <= cap) return history;
  const events = history.events.slice(history.events.length - cap);
  return { events, earlierBefore: events[0]!.id };
}

/** Adds events to a history kept sorted by id, skipping ones already there (a reconnect may resend). */
export function mergeEvents(history: readonly RunEvent[], incoming: readonly RunEvent[]): RunEvent[] {
  if (incoming.length === 0) return history as RunEvent[];
  const last = history[history.length - 1];
  const lastId = last ? BigInt(last.id) : -1n;
  if (incoming.every((event) => BigInt(event.id) > lastId)) return [...history, ...incoming];
  const byId = new Map(history.map((event) => [event.id, event]));
  for (const event of incoming) byId.set(event.id, event);
  return [...byId.values()].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}
