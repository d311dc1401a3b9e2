import type { DeadLetterRow, RunEventRow, RunRow, TaskRunRow, WorkerRow } from '@flowctl/persistence';

/** The API's JSON shapes (docs/rest-api.md), kept apart from the rows so a column rename never leaks out. */
export const runView = (run: RunRow) => ({
  id: run.id,
  workflow: run.workflowName,
  namespace: run.namespace,
  version: run.version,
  status: run.status,
  inputs: run.inputs,
  idempotencyKey: run.idempotencyKey,
  tasksTotal: run.tasksTotal,
  tasksOpen: run.tasksOpen,
  createdAt: run.createdAt,
  startedAt: run.startedAt,
  finishedAt: run.finishedAt,
  deadlineAt: run.deadlineAt,
  scheduledFor: run.scheduledFor,
  parentRunId: run.parentRunId,
  parentTaskRunId: run.parentTaskRunId,
});

export const taskView = (task: TaskRunRow) => ({
  id: task.id,
  name: task.name,
  type: task.type,
  status: task.status,
  attempt: task.attempt,
  priority: task.priority,
  input: task.input,
  output: task.output,
  error: task.error,
  workerId: task.workerId,
  heartbeatDetails: task.heartbeatDetails,
  heartbeatAt: task.heartbeatAt,
  queuedAt: task.queuedAt,
  startedAt: task.startedAt,
  finishedAt: task.finishedAt,
  retryAt: task.retryAt,
  parentTaskRunId: task.parentTaskRunId,
  itemIndex: task.itemIndex,
  instancesTotal: task.instancesTotal,
  // Only a capped page sets these: the whole value is at GET /runs/:id/tasks/:name.
  ...(task.inputTruncated ? { inputTruncated: true } : {}),
  ...(task.outputTruncated ? { outputTruncated: true } : {}),
});

export const eventView = (event: RunEventRow) => ({
  id: event.id,
  type: event.type,
  task: event.task,
  attempt: event.attempt,
  at: event.at,
  details: event.details,
});

export const deadLetterView = (letter: DeadLetterRow) => ({
  id: letter.id,
  runId: letter.runId,
  namespace: letter.namespace,
  workflow: letter.workflowName,
  task: letter.task,
  type: letter.type,
  attempt: letter.attempt,
  error: letter.error,
  input: letter.input,
  deadAt: letter.deadAt,
});

/** A worker that has not reported for three heartbeat intervals is presumed lost (FLOWCTL_WORKER_LOST_AFTER). */
export const WORKER_LOST_AFTER_MS = 15_000;

/** Shows `lost` as soon as heartbeats are overdue, even before the leader's liveness duty has marked the row. */
export const workerView = (worker: WorkerRow, now = Date.now(), lostAfterMs = WORKER_LOST_AFTER_MS) => ({
  id: worker.id,
  host: worker.host,
  types: worker.types,
  concurrency: worker.concurrency,
  running: worker.running,
  version: worker.version,
  status: worker.status === 'stopped' ? 'stopped' : now - new Date(worker.lastHeartbeatAt).getTime() > lostAfterMs ? 'lost' : worker.status,
  startedAt: worker.startedAt,
  lastHeartbeatAt: worker.lastHeartbeatAt,
});
