import { z } from 'zod';
import { TriggeringEvent } from './events';
import {
  cursorParam,
  enumParam,
  limitParam,
  namespaceParam,
  pageOf,
  pageQuery,
  RUN_STATUSES,
  RunStatus,
  TASK_STATUSES,
  TaskError,
  TaskStatus,
  textParam,
  timeParam,
  Timestamp,
} from './common';

const RUN_EXAMPLE = {
  id: '0190b5f0-1c2d-7000-8000-0123456789ab',
  workflow: 'nightly-report',
  namespace: 'default',
  version: 2,
  status: 'running',
  inputs: { date: '2026-01-31' },
  idempotencyKey: null,
  tasksTotal: 3,
  tasksOpen: 2,
  createdAt: '2026-01-31T02:00:00.000Z',
  startedAt: '2026-01-31T02:00:00.012Z',
  finishedAt: null,
  deadlineAt: null,
  scheduledFor: null,
  parentRunId: null,
  parentTaskRunId: null,
};

export const Run = z
  .strictObject({
    id: z.string(),
    workflow: z.string(),
    namespace: z.string(),
    version: z.number().int(),
    status: RunStatus,
    inputs: z.record(z.string(), z.unknown()),
    idempotencyKey: z.string().nullable(),
    tasksTotal: z.number().int(),
    tasksOpen: z.number().int(),
    createdAt: Timestamp,
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
    /** When the run times out (its workflow's `timeout`), if it has one. */
    deadlineAt: Timestamp.nullable(),
    /** The cron tick a scheduled run was started for. */
    scheduledFor: Timestamp.nullable(),
    /** Set on a sub-workflow's run: the run and task that started it. */
    parentRunId: z.string().nullable(),
    parentTaskRunId: z.string().nullable(),
  })
  .meta({ id: 'Run', example: RUN_EXAMPLE });
export type Run = z.infer<typeof Run>;

export const Task = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    type: z.string(),
    status: TaskStatus,
    attempt: z.number().int(),
    priority: z.number().int(),
    input: z.unknown(),
    output: z.unknown(),
    error: TaskError.nullable(),
    workerId: z.string().nullable(),
    heartbeatDetails: z.unknown(),
    heartbeatAt: Timestamp.nullable(),
    queuedAt: Timestamp.nullable(),
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
    retryAt: Timestamp.nullable(),
    /** A forEach instance's parent task, and its place in the list. */
    parentTaskRunId: z.string().nullable(),
    itemIndex: z.number().int().nullable(),
    /** A forEach task's instance count, once expanded. */
    instancesTotal: z.number().int().nullable(),
    /** Only a capped page sets these: the whole value is at GET /runs/:id/tasks/:name. */
    inputTruncated: z.literal(true).optional(),
    outputTruncated: z.literal(true).optional(),
  })
  .meta({ id: 'Task' });
export type Task = z.infer<typeof Task>;

export const RunDetail = z
  .strictObject({
    ...Run.shape,
    tasks: z.array(Task),
    tasksNextCursor: z.string().nullable(),
    /** GET /runs/:id: the event that started the run (spec.on), null for a run started otherwise; the stream's snapshot leaves it out. */
    event: TriggeringEvent.nullable().optional(),
  })
  .meta({ id: 'RunDetail' });
export type RunDetail = z.infer<typeof RunDetail>;

export const RUN_EVENT_TYPES = [
  'run_created',
  'run_started',
  'run_waiting',
  'run_succeeded',
  'run_failed',
  'run_cancelled',
  'run_timed_out',
  'run_retried',
  'task_queued',
  'task_started',
  'task_succeeded',
  'task_failed',
  'task_retrying',
  'task_dead',
  'task_skipped',
  'task_cancelled',
  'task_requeued',
] as const;
export const RunEventType = z.enum(RUN_EVENT_TYPES);
export type RunEventType = z.infer<typeof RunEventType>;

/** The status a task has after each of its events (the engine writes both in one transaction). */
export const TASK_STATUS_AFTER: Readonly<Partial<Record<string, TaskStatus>>> = {
  task_queued: 'queued',
  task_started: 'running',
  task_succeeded: 'succeeded',
  task_failed: 'failed',
  task_retrying: 'retrying',
  task_dead: 'dead',
  task_skipped: 'skipped',
  task_cancelled: 'cancelled',
  task_requeued: 'pending',
};

export const RunEvent = z
  .strictObject({
    id: z.string(),
    type: RunEventType,
    task: z.string().nullable(),
    attempt: z.number().int().nullable(),
    at: Timestamp,
    details: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'RunEvent' });
export type RunEvent = z.infer<typeof RunEvent>;

/** GET /runs/:id/events: a page; with `before`, also `earlierBefore` (null when the page starts the history). */
export const RunEventsPage = z
  .strictObject({ items: z.array(RunEvent), nextCursor: z.string().nullable(), earlierBefore: z.string().nullable().optional() })
  .meta({ id: 'RunEventsPage' });
export type RunEventsPage = z.infer<typeof RunEventsPage>;

export const RunPage = pageOf(Run);
export const TaskPage = pageOf(Task);

export const ListRunsQuery = z.object({
  workflow: textParam('workflow', 'Only runs of this workflow'),
  status: enumParam('status', RUN_STATUSES),
  namespace: namespaceParam,
  from: timeParam('from', 'Created at or after this time'),
  to: timeParam('to', 'Created before this time'),
  ...pageQuery(),
});
export const GetRunQuery = z.object({
  tasksLimit: limitParam('tasksLimit', 1_000, 10_000),
  tasksCursor: textParam('tasksCursor', "The previous answer's tasksNextCursor"),
});
export const RunEventsQuery = z.object({
  limit: limitParam('limit', 1_000, 10_000),
  cursor: cursorParam,
  before: textParam('before', 'An event id: answer the latest `limit` events before it'),
});
export const TaskInstancesQuery = z.object({ status: enumParam('status', TASK_STATUSES), ...pageQuery(100, 1_000) });

/** POST /workflows/:name/runs. */
export const StartRunBody = z
  .strictObject(
    {
      inputs: z.record(z.string(), z.unknown(), { error: 'inputs must be a JSON object' }).optional(),
      idempotencyKey: z.string({ error: 'idempotencyKey must be a string' }).optional(),
      /** The namespace, if not in the query. */
      namespace: z.string({ error: 'namespace must be a string' }).optional(),
    },
    { error: 'body must be a JSON object {inputs?, idempotencyKey?}' },
  )
  .optional()
  .meta({ example: { inputs: { date: '2026-01-31' }, idempotencyKey: 'nightly-2026-01-31' } });
export type StartRunBody = z.input<typeof StartRunBody>;

/** POST .../approve and .../reject. */
export const DecisionBody = z
  .object(
    {
      comment: z.string({ error: 'comment must be a string' }).optional(),
      by: z.string({ error: 'by must be a string' }).optional(),
    },
    { error: 'body must be a JSON object {comment?, by?}' },
  )
  .optional()
  .meta({ example: { comment: 'looks good', by: 'alice' } });
export type DecisionBody = z.input<typeof DecisionBody>;

export const RunIdParams = z.object({ id: z.string() });
export const RunTaskParams = z.object({ id: z.string(), name: z.string() });
