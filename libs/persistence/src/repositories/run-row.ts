import type { RunStatus } from '@flowctl/core';
import { dateOrNull, textOrNull } from './json-values';

export interface RunRow {
  id: string;
  namespace: string;
  workflowName: string;
  workflowVersionId: string;
  version: number;
  status: RunStatus;
  inputs: Record<string, unknown>;
  idempotencyKey: string | null;
  tasksTotal: number;
  tasksOpen: number;
  tasksFailed: number;
  error: unknown;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  deadlineAt: Date | null;
  parentRunId: string | null;
  parentTaskRunId: string | null;
  scheduledFor: Date | null;
}

/** The select list that reads a `runs` row as a RunRow: pg's own answer needs no mapping past these aliases. */
export const RUN_COLUMNS = `id, namespace, workflow_name AS "workflowName", workflow_version_id AS "workflowVersionId", version, status, inputs,
  idempotency_key AS "idempotencyKey", tasks_total AS "tasksTotal", tasks_open AS "tasksOpen", tasks_failed AS "tasksFailed", error,
  created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt", deadline_at AS "deadlineAt",
  parent_run_id AS "parentRunId", parent_task_run_id AS "parentTaskRunId", scheduled_for AS "scheduledFor"`;

/**
 * A RunRow that travelled as JSON (to_jsonb of RUN_COLUMNS, when one result set carries two row
 * shapes): bigint ids come back as numbers and timestamps as text, so both are put back as pg answers
 * them everywhere else (ids as text), or a cache keyed by version id would hold a run's workflow twice.
 */
export function runRowFromJson(json: Record<string, unknown>): RunRow {
  const row = json as unknown as RunRow;
  return {
    ...row,
    workflowVersionId: String(json.workflowVersionId),
    parentTaskRunId: textOrNull(json.parentTaskRunId),
    createdAt: new Date(json.createdAt as string),
    startedAt: dateOrNull(json.startedAt),
    finishedAt: dateOrNull(json.finishedAt),
    deadlineAt: dateOrNull(json.deadlineAt),
    scheduledFor: dateOrNull(json.scheduledFor),
  };
}
