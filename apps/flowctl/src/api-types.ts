/**
 * The shapes the scheduler's REST API answers with (docs/rest-api.md), as the CLI
 * reads them. Fields the CLI only displays are optional so that an older or
 * newer server does not break `get` or `describe`.
 */

export type RunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled', 'timed_out'];
export const isRunTerminal = (status: string): boolean => (TERMINAL_RUN_STATUSES as readonly string[]).includes(status);

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export interface ApplyResult {
  name: string;
  namespace: string;
  version: number;
  result: 'created' | 'configured' | 'unchanged';
}

export interface WorkflowSummary {
  name: string;
  namespace?: string;
  version?: number;
  updatedAt?: string;
  createdAt?: string;
  versions?: unknown[];
  spec?: unknown;
  [field: string]: unknown;
}

/** A task failure as it crosses the API: `{type, message, nonRetryable, details}`, or a plain string. */
export type TaskError = string | { type?: string; message?: string; [field: string]: unknown };

export interface TaskRun {
  name: string;
  type?: string;
  status: string;
  attempt?: number;
  output?: unknown;
  error?: TaskError | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  workerId?: string | null;
}

export interface Run {
  id: string;
  /** The workflow's name; some servers nest it as an object. */
  workflow?: string | { name?: string; namespace?: string };
  version?: number;
  status: string;
  inputs?: Record<string, unknown>;
  createdAt?: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  tasks?: TaskRun[];
  [field: string]: unknown;
}

export interface RunEvent {
  id?: string | number;
  type: string;
  task?: string | null;
  attempt?: number | null;
  at?: string;
  details?: unknown;
}

export interface Worker {
  id: string;
  types?: string[];
  concurrency?: number;
  status?: string;
  lastHeartbeatAt?: string;
  lastHeartbeat?: string;
  [field: string]: unknown;
}

/** An API token as listed: never the token itself. */
export interface ApiToken {
  id: string;
  name: string;
  role: string;
  namespaces: string[];
  createdBy?: string;
  createdAt?: string;
  expiresAt?: string | null;
  revokedAt?: string | null;
  lastUsedAt?: string | null;
}

/** One change made through the API. */
export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  namespace: string | null;
  outcome: string;
  statusCode: number;
  message: string | null;
}

export interface DeadLetter {
  id: string | number;
  runId?: string;
  workflow?: string | { name?: string };
  task?: string;
  type?: string;
  attempt?: number;
  error?: TaskError | null;
  input?: unknown;
  deadAt?: string;
  [field: string]: unknown;
}

export const workflowNameOf = (workflow: Run['workflow'] | DeadLetter['workflow']): string =>
  typeof workflow === 'string' ? workflow : (workflow?.name ?? '');

export const errorMessageOf = (error: TaskError | null | undefined): string => {
  if (error == null) return '';
  if (typeof error === 'string') return error;
  const message = typeof error.message === 'string' ? error.message : JSON.stringify(error);
  return error.type && error.type !== 'Error' ? `${error.type}: ${message}` : message;
};
