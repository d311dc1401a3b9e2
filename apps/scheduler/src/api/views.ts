import type {
  ApiToken,
  AuditEntry,
  DeadLetter,
  Run,
  RunEvent,
  Schedule,
  Secret,
  Task,
  TaskError,
  Worker,
  WorkerStatus,
  WorkflowSummary,
} from '@flowctl/api-contract';
import type {
  ApiTokenRow,
  AuditRow,
  DeadLetterRow,
  RunEventRow,
  RunRow,
  ScheduleRow,
  SecretSummary,
  TaskRunRow,
  WorkerRow,
  WorkflowRow,
} from '@flowctl/persistence';

/**
 * Rows to the API's shapes (the contract's types), kept apart from the rows so a column rename never
 * leaks out. Times become ISO text here, as JSON would write them, so each view is exactly its schema.
 */
export const iso = (time: Date | string): string => new Date(time).toISOString();
export const isoOrNull = (time: Date | string | null | undefined): string | null => (time == null ? null : iso(time));

export const runView = (run: RunRow): Run => ({
  id: run.id,
  workflow: run.workflowName,
  namespace: run.namespace,
  version: run.version,
  status: run.status,
  inputs: run.inputs,
  idempotencyKey: run.idempotencyKey,
  tasksTotal: run.tasksTotal,
  tasksOpen: run.tasksOpen,
  createdAt: iso(run.createdAt),
  startedAt: isoOrNull(run.startedAt),
  finishedAt: isoOrNull(run.finishedAt),
  deadlineAt: isoOrNull(run.deadlineAt),
  scheduledFor: isoOrNull(run.scheduledFor),
  parentRunId: run.parentRunId,
  parentTaskRunId: run.parentTaskRunId,
});

export const taskView = (task: TaskRunRow): Task => ({
  id: task.id,
  name: task.name,
  type: task.type,
  status: task.status,
  attempt: task.attempt,
  priority: task.priority,
  input: task.input,
  output: task.output,
  error: task.error as TaskError | null,
  workerId: task.workerId,
  heartbeatDetails: task.heartbeatDetails,
  heartbeatAt: isoOrNull(task.heartbeatAt),
  queuedAt: isoOrNull(task.queuedAt),
  startedAt: isoOrNull(task.startedAt),
  finishedAt: isoOrNull(task.finishedAt),
  retryAt: isoOrNull(task.retryAt),
  parentTaskRunId: task.parentTaskRunId,
  itemIndex: task.itemIndex,
  instancesTotal: task.instancesTotal,
  // Only a capped page sets these: the whole value is at GET /runs/:id/tasks/:name.
  ...(task.inputTruncated ? { inputTruncated: true as const } : {}),
  ...(task.outputTruncated ? { outputTruncated: true as const } : {}),
});

export const eventView = (event: RunEventRow): RunEvent => ({
  id: String(event.id),
  type: event.type,
  task: event.task,
  attempt: event.attempt,
  at: iso(event.at),
  details: (event.details ?? null) as Record<string, unknown> | null,
});

export const deadLetterView = (letter: DeadLetterRow): DeadLetter => ({
  id: letter.id,
  runId: letter.runId,
  namespace: letter.namespace,
  workflow: letter.workflowName,
  task: letter.task,
  type: letter.type,
  attempt: letter.attempt,
  error: letter.error as TaskError | null,
  input: letter.input,
  deadAt: iso(letter.deadAt),
});

/** A worker that has not reported for three heartbeat intervals is presumed lost (FLOWCTL_WORKER_LOST_AFTER). */
export const WORKER_LOST_AFTER_MS = 15_000;

/** Shows `lost` as soon as heartbeats are overdue, even before the leader's liveness duty has marked the row. */
export const workerView = (worker: WorkerRow, now = Date.now(), lostAfterMs = WORKER_LOST_AFTER_MS): Worker => ({
  id: worker.id,
  host: worker.host,
  types: worker.types,
  concurrency: worker.concurrency,
  running: worker.running,
  version: worker.version,
  status:
    worker.status === 'stopped'
      ? 'stopped'
      : now - new Date(worker.lastHeartbeatAt).getTime() > lostAfterMs
        ? 'lost'
        : (worker.status as WorkerStatus),
  startedAt: iso(worker.startedAt),
  lastHeartbeatAt: iso(worker.lastHeartbeatAt),
});

export const workflowSummaryView = (workflow: WorkflowRow): WorkflowSummary => ({
  name: workflow.name,
  namespace: workflow.namespace,
  version: workflow.currentVersion,
  labels: workflow.labels,
  createdAt: iso(workflow.createdAt),
  updatedAt: iso(workflow.updatedAt),
});

export const scheduleView = (schedule: ScheduleRow): Schedule => ({
  cron: schedule.cron,
  timezone: schedule.timezone,
  overlap: schedule.overlap,
  paused: schedule.paused,
  nextFireAt: schedule.paused ? null : isoOrNull(schedule.nextFireAt),
  lastFiredAt: isoOrNull(schedule.lastFiredAt),
  bufferedFireAt: isoOrNull(schedule.bufferedFireAt),
});

/** Names and dates only: no endpoint ever answers with a value or a ciphertext. */
export const secretView = (secret: SecretSummary): Secret => ({
  name: secret.name,
  namespace: secret.namespace,
  keyId: secret.keyId,
  createdAt: iso(secret.createdAt),
  updatedAt: iso(secret.updatedAt),
});

/** The stored token, never its secret nor its hash. */
export const tokenView = (token: ApiTokenRow): ApiToken => ({
  id: token.id,
  name: token.name,
  role: token.role,
  namespaces: token.namespaces ?? ['*'],
  createdBy: token.createdBy,
  createdAt: iso(token.createdAt),
  expiresAt: isoOrNull(token.expiresAt),
  revokedAt: isoOrNull(token.revokedAt),
  lastUsedAt: isoOrNull(token.lastUsedAt),
});

export const auditView = (entry: AuditRow): AuditEntry => ({
  id: String(entry.id),
  at: iso(entry.at),
  actor: entry.actor,
  tokenId: entry.tokenId,
  action: entry.action,
  target: entry.target,
  namespace: entry.namespace,
  outcome: entry.outcome,
  statusCode: entry.statusCode,
  message: entry.message,
});
