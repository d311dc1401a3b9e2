import type { SecretSlot, TaskFailure } from '@flowctl/core';
import type { SealedSecret } from './secrets/secret-keyring';

/** What a worker receives for one attempt of one task run. */
export interface TaskJob {
  taskRunId: string;
  runId: string;
  namespace: string;
  workflow: string;
  task: string;
  type: string;
  attempt: number;
  input: unknown;
  /** Stable across attempts (`runId:taskName`): handlers use it to make side effects idempotent. */
  idempotencyKey: string;
  timeoutMs?: number;
  heartbeatTimeoutMs?: number;
  lastHeartbeatDetails?: unknown;
  /** Where `input` has a secret placeholder, and the text around it; the worker fills them in. */
  secretSlots?: SecretSlot[];
  /** The sealed values the slots read, by name; null for a secret that does not exist in the run's namespace. */
  secrets?: Record<string, SealedSecret | null>;
  /** W3C trace context of the dispatch, so the worker's span joins the run's trace. Absent when tracing is off. */
  traceparent?: string;
}

export interface WorkerInfo {
  id: string;
  host: string;
  types: string[];
  concurrency: number;
  version: string;
  status: 'active' | 'draining' | 'stopped';
  running: number;
}

/** Everything workers tell the scheduler travels as one of these on the results channel. */
export type ResultMessage =
  | { kind: 'started'; runId: string; taskRunId: string; attempt: number; workerId: string; at: string; traceparent?: string }
  | {
      kind: 'succeeded';
      runId: string;
      taskRunId: string;
      attempt: number;
      workerId: string;
      output: unknown;
      startedAt: string;
      at: string;
      /** W3C trace context of the worker's span: applying the result continues the run's trace. */
      traceparent?: string;
      logs?: AttemptLogTail;
    }
  | {
      kind: 'failed';
      runId: string;
      taskRunId: string;
      attempt: number;
      workerId: string;
      error: TaskFailure;
      startedAt: string;
      at: string;
      /** The latest heartbeat details, sent with the failure so the next attempt resumes from them even if the last heartbeat was still throttled. */
      heartbeatDetails?: unknown;
      traceparent?: string;
      logs?: AttemptLogTail;
    }
  | { kind: 'heartbeat'; runId: string; taskRunId: string; attempt: number; workerId: string; details?: unknown; at: string }
  | { kind: 'worker'; worker: WorkerInfo; at: string }
  | ({ kind: 'logs'; runId: string; taskRunId: string; attempt: number; workerId: string; at: string } & AttemptLogTail);

/**
 * Log lines of an attempt: what a `logs` message holds, and the last unsent ones an outcome carries (one
 * report per attempt instead of two), sent only while every scheduler reading the channel takes them
 * (see ResultsChannel.readersTakeLogTails).
 */
export interface AttemptLogTail {
  /** In the order they were written; already masked of the attempt's secret values. */
  lines: TaskLogLine[];
  /** Lines the sender could not ship (its buffer was full), to be noted in the log. */
  dropped?: number;
}

export type TaskLogLevel = 'debug' | 'info' | 'warn' | 'error';
/** `log`: the handler's logger; `stdout`/`stderr`: a process's output; `system`: what flowctl itself notes. */
export type TaskLogStream = 'log' | 'stdout' | 'stderr' | 'system';

/** One line of an attempt's log as a worker sends it; the scheduler numbers lines as it stores them. */
export interface TaskLogLine {
  ts: string;
  level: TaskLogLevel;
  stream: TaskLogStream;
  message: string;
}

/** Control messages the scheduler broadcasts to every worker. */
export type ControlMessage = { eventName: 'cancel'; jobIds: string };
