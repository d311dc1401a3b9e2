import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from './api-client';
import { ApiError, segment } from './api-client';
import { Run, TaskRun, errorMessageOf, isRunTerminal } from './api-shapes';
import { ServerUnreachable } from './errors';

/** Poll fast at first (most short runs end within a second), then settle at once a second. */
const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 1_000;
const POLL_GROWTH = 1.5;
/** A scheduler restart or leader change is a blip, not a failed run: ride out this many failed polls. */
const MAX_CONSECUTIVE_POLL_FAILURES = 5;

export interface TaskChange {
  task: string;
  status: string;
  attempt?: number;
  error?: string;
}

/** What we last saw of each task: its status and attempt, so a new attempt shows even without a visible status change. */
export type TaskSnapshot = ReadonlyMap<string, string>;

const snapshotKey = (task: TaskRun): string => `${task.status}#${task.attempt ?? 1}`;

/**
 * The task changes between the last snapshot and `run`, in the order the server lists
 * its tasks. A task first seen as `pending` is not news: every task starts there.
 */
export function taskChangesSince(previous: TaskSnapshot, run: Run): { changes: TaskChange[]; snapshot: TaskSnapshot } {
  const snapshot = new Map(previous);
  const changes: TaskChange[] = [];
  for (const task of run.tasks ?? []) {
    const key = snapshotKey(task);
    const before = previous.get(task.name);
    snapshot.set(task.name, key);
    if (before === key || (before === undefined && task.status === 'pending')) continue;
    const error = task.error ? errorMessageOf(task.error) : undefined;
    changes.push({ task: task.name, status: task.status, attempt: task.attempt, ...(error ? { error } : {}) });
  }
  return { changes, snapshot };
}

/** `extract succeeded`, `load running (attempt 2)`, `transform failed: exit code 3`. */
export function describeTaskChange(change: TaskChange): string {
  const attempt = change.attempt !== undefined && change.attempt > 1 ? ` (attempt ${change.attempt})` : '';
  const showsError = ['failed', 'dead', 'retrying'].includes(change.status) && change.error;
  return `${change.task} ${change.status}${attempt}${showsError ? `: ${change.error}` : ''}`;
}

export type WaitOutcome = { kind: 'finished'; run: Run } | { kind: 'timed-out'; run: Run | undefined };

/** Polls `GET /runs/:id` until the run is terminal (or `timeoutMs` passes), reporting each task change once. */
export async function waitForRun(
  api: ApiClient,
  runId: string,
  options: {
    timeoutMs?: number;
    onTaskChange: (change: TaskChange) => void;
    /** A run promised but maybe not created yet (an accepted event's): a 404 is asked again for this long. */
    appearsWithinMs?: number;
  },
): Promise<WaitOutcome> {
  const deadline = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
  const appearsBy = Date.now() + (options.appearsWithinMs ?? 0);
  let snapshot: TaskSnapshot = new Map();
  let interval = FIRST_POLL_MS;
  let failures = 0;
  let last: Run | undefined;

  for (;;) {
    try {
      last = await api.get<Run>(`/runs/${segment(runId)}`);
      failures = 0;
    } catch (error) {
      const notYet = !last && error instanceof ApiError && error.status === 404 && Date.now() < appearsBy;
      if (!notYet && (!isTransient(error) || ++failures >= MAX_CONSECUTIVE_POLL_FAILURES)) throw error;
    }
    if (last) {
      const next = taskChangesSince(snapshot, last);
      snapshot = next.snapshot;
      next.changes.forEach(options.onTaskChange);
      if (isRunTerminal(last.status)) return { kind: 'finished', run: last };
      // Something moved: the next change is likely close behind.
      interval = next.changes.length > 0 ? FIRST_POLL_MS : Math.min(MAX_POLL_MS, interval * POLL_GROWTH);
    }
    if (deadline !== undefined && Date.now() + interval > deadline) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { kind: 'timed-out', run: last };
      interval = remaining;
    }
    await sleep(interval);
  }
}

function isTransient(error: unknown): boolean {
  return error instanceof ServerUnreachable || (error instanceof ApiError && [502, 503, 504].includes(error.status));
}
