/**
 * The JSON the scheduler answers under /api/v1 (apps/scheduler/src/api/views.ts; documented in docs/rest-api.md).
 * The dashboard knows the server only through these shapes, never by importing its code.
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

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Run {
  id: string;
  workflow: string;
  namespace: string;
  version: number;
  status: RunStatus;
  inputs: Record<string, unknown>;
  idempotencyKey: string | null;
  tasksTotal: number;
  tasksOpen: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A task failure as it crosses the queue: data, with the worker's stack when there is one. */
export interface TaskError {
  type: string;
  message: string;
  stack?: string;
  nonRetryable?: boolean;
  details?: unknown;
}

export interface Task {
  id: string;
  name: string;
  type: string;
  status: TaskStatus;
  attempt: number;
  priority?: number;
  input: unknown;
  output: unknown;
  error: TaskError | null;
  workerId: string | null;
  heartbeatDetails: unknown;
  heartbeatAt: string | null;
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  retryAt: string | null;
}

export interface RunDetail extends Run {
  tasks: Task[];
  tasksNextCursor: string | null;
}

export type RunEventType =
  | 'run_created'
  | 'run_started'
  | 'run_succeeded'
  | 'run_failed'
  | 'run_cancelled'
  | 'run_timed_out'
  | 'run_retried'
  | 'task_queued'
  | 'task_started'
  | 'task_succeeded'
  | 'task_failed'
  | 'task_retrying'
  | 'task_dead'
  | 'task_skipped'
  | 'task_cancelled'
  | 'task_requeued'
  // The engine may add types; the dashboard shows unknown ones in the history and otherwise ignores them.
  | (string & {});

export interface RunEvent {
  id: string;
  type: RunEventType;
  task: string | null;
  attempt: number | null;
  at: string;
  details: Record<string, unknown> | null;
}

export type InputType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';

export interface InputDefinition {
  type: InputType;
  default?: unknown;
  required?: boolean;
  description?: string;
}

export interface TaskDefinition {
  name: string;
  type: string;
  with?: Record<string, unknown>;
  dependsOn?: string[];
  when?: string;
  trigger?: string;
  forEach?: string;
  priority?: number;
}

export interface WorkflowSpec {
  inputs?: Record<string, InputDefinition>;
  timeout?: number;
  concurrency?: number;
  schedule?: { cron: string; timezone?: string; overlap?: string };
  tasks: TaskDefinition[];
}

export interface WorkflowDefinition {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: WorkflowSpec;
}

export interface WorkflowSummary {
  name: string;
  namespace: string;
  version: number;
  labels: Record<string, string> | null;
  createdAt: string;
  updatedAt: string;
}

export interface WorkflowVersionSummary {
  version: number;
  contentHash: string;
  createdAt: string;
}

export interface Workflow extends WorkflowSummary {
  spec?: WorkflowSpec;
  definition?: WorkflowDefinition;
  source?: string | null;
  versions: WorkflowVersionSummary[];
}

export interface WorkflowVersion {
  name: string;
  namespace: string;
  version: number;
  contentHash: string;
  createdAt: string;
  definition: WorkflowDefinition;
  source: string | null;
}

export interface DeadLetter {
  id: string;
  runId: string;
  namespace: string;
  workflow: string;
  task: string;
  type: string;
  attempt: number;
  error: TaskError | null;
  input: unknown;
  deadAt: string;
  requeuedAt?: string | null;
}

export interface RequeueResult {
  id: string;
  runId: string;
  task: string;
  attempt: number;
}

export type WorkerStatus = 'active' | 'draining' | 'stopped' | 'lost' | (string & {});

export interface Worker {
  id: string;
  host: string;
  types: string[];
  concurrency: number;
  running: number;
  version: string;
  status: WorkerStatus;
  startedAt: string;
  lastHeartbeatAt: string;
}

export interface QueueDepth {
  type: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  workers: number;
  error?: string;
}

export interface Cluster {
  leader: string | null;
  schedulers: { id: string; host: string; leader: boolean; startedAt: string; lastSeenAt: string }[];
}

/** GET /runs/:id/events?before=ID: the events just before ID, oldest first. */
export interface EarlierEventsPage {
  items: RunEvent[];
  nextCursor: null;
  /** The id to ask `before` for the page before this one; null when this page starts the history. */
  earlierBefore: string | null;
}

/**
 * A forEach task whose instances the run stream sends as counts, not rows (too many to send
 * each): the group panel pages them through GET /runs/:id/tasks/:name/instances.
 */
export interface FanOutSummary {
  task: string;
  total: number;
  counts: Partial<Record<TaskStatus, number>>;
}

/** Frames of GET /runs/:id/stream. */
export interface RunStreamHistory {
  events: RunEvent[];
  /** The server left older events out (only the latest are sent): drop the history held, it would have a gap. */
  reset?: boolean;
  /** Events before this id are on the server only (null: this is the whole history); absent: unchanged. */
  earlierBefore?: string | null;
}
export interface RunStreamSnapshot {
  /** The run with its own tasks and the instances of its small fan-outs. */
  run: RunDetail;
  lastEventId: string;
  /** The fan-outs sent as counts; older servers leave it out. */
  fanOuts?: FanOutSummary[];
}
export interface RunStreamDelta {
  /** The run's fresh row, but for its inputs: they never change, and the snapshot carried them. */
  run: Omit<Run, 'inputs'>;
  events: RunEvent[];
  tasks: Task[];
  /** The new counts of the counted fan-outs these events changed (and of any that just started being counted). */
  fanOuts?: FanOutSummary[];
}
/** Frames of GET /stream. */
export interface RunsStreamBatch {
  items: Run[];
}
