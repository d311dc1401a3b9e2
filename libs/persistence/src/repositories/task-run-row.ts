import type { SecretSlot, TaskFailure, TaskStatus } from '@flowctl/core';
import { dateOrNull, textOrNull } from './json-values';

export interface TaskRunRow {
  id: string;
  runId: string;
  name: string;
  type: string;
  status: TaskStatus;
  attempt: number;
  budgetStart: number;
  priority: number;
  depsTotal: number;
  depsSucceeded: number;
  depsFailed: number;
  depsSkipped: number;
  /** The rendered `with`, with a placeholder wherever a secret goes (never a secret's value). */
  input: unknown;
  /** Where in `input` the worker fills in secrets; null when the task reads none. */
  secretSlots: SecretSlot[] | null;
  output: unknown;
  error: TaskFailure | null;
  workerId: string | null;
  heartbeatDetails: unknown;
  heartbeatAt: Date | null;
  queuedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  retryAt: Date | null;
  timeoutMs: number | null;
  heartbeatTimeoutMs: number | null;
  scheduleToStartMs: number | null;
  /** The earliest deadline of the current state (schedule-to-start, start-to-close or heartbeat). */
  timeoutAt: Date | null;
  /** Set on the instances of a `forEach` task: the fan-out task they belong to. */
  parentTaskRunId: string | null;
  itemIndex: number | null;
  /** On a `forEach` task once it has fanned out: how many instances, and how they ended so far. */
  instancesTotal: number | null;
  instancesSucceeded: number;
  instancesFailed: number;
  /** While retrying (tracing on): the W3C trace context the next attempt continues. */
  retryTraceparent: string | null;
  /** Set by a page read with a size cap: the value was too large to come inline (null here). */
  inputTruncated?: boolean;
  outputTruncated?: boolean;
}

export interface NewTaskRun {
  name: string;
  type: string;
  priority: number;
  depsTotal: number;
  timeoutMs?: number;
  heartbeatTimeoutMs?: number;
  scheduleToStartMs?: number;
}

/** The select list that reads a `task_runs` row as a TaskRunRow: pg's own answer needs no mapping past these aliases. */
export const TASK_COLUMNS = `id, run_id AS "runId", name, type, status, attempt, budget_start AS "budgetStart", priority,
  deps_total AS "depsTotal", deps_succeeded AS "depsSucceeded", deps_failed AS "depsFailed", deps_skipped AS "depsSkipped",
  input, secret_slots AS "secretSlots", output, error, worker_id AS "workerId", heartbeat_details AS "heartbeatDetails", heartbeat_at AS "heartbeatAt",
  queued_at AS "queuedAt", started_at AS "startedAt", finished_at AS "finishedAt", retry_at AS "retryAt",
  timeout_ms AS "timeoutMs", heartbeat_timeout_ms AS "heartbeatTimeoutMs", schedule_to_start_ms AS "scheduleToStartMs",
  timeout_at AS "timeoutAt", parent_task_run_id AS "parentTaskRunId", item_index AS "itemIndex",
  instances_total AS "instancesTotal", instances_succeeded AS "instancesSucceeded", instances_failed AS "instancesFailed",
  retry_traceparent AS "retryTraceparent"`;

/** A TaskRunRow that travelled as JSON (to_jsonb of TASK_COLUMNS): bigint ids come back as numbers and timestamps as text. */
export function taskRunRowFromJson(json: Record<string, unknown>): TaskRunRow {
  const row = json as unknown as TaskRunRow;
  return {
    ...row,
    id: String(json.id),
    parentTaskRunId: textOrNull(json.parentTaskRunId),
    heartbeatAt: dateOrNull(json.heartbeatAt),
    queuedAt: dateOrNull(json.queuedAt),
    startedAt: dateOrNull(json.startedAt),
    finishedAt: dateOrNull(json.finishedAt),
    retryAt: dateOrNull(json.retryAt),
    timeoutAt: dateOrNull(json.timeoutAt),
  };
}
