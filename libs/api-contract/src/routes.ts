import { z } from 'zod';
import { AuditPage, ListAuditQuery } from './audit';
import { Cluster, ListWorkersQuery, QueuePage, WorkerPage } from './cluster';
import { NoBody } from './common';
import { DeadLetter, DeadLetterIdParams, DeadLetterPage, ListDeadLettersQuery, RequeueResult } from './dead-letters';
import { EmitEventBody, Event, EventIdParams, EventNamespaceQuery, EventPage, HookBody, HookNameParams, ListEventsQuery } from './events';
import { Liveness, MetricsText, Readiness } from './health';
import { Insights, InsightsQuery } from './insights';
import { NotificationPage, RunNotificationsQuery } from './notifications';
import { route } from './route';
import { TASK_LOG_STREAM_FRAMES, TaskLogPage, TaskLogsQuery, TaskLogStreamQuery } from './task-logs';
import {
  LeaseIdParams,
  WorkerCompleteBody,
  WorkerFailBody,
  WorkerHeartbeatBody,
  WorkerHeartbeatResult,
  WorkerLogsBody,
  WorkerLogsResult,
  WorkerPollBody,
  WorkerPollResult,
  WorkerReported,
  WorkerReportsBody,
  WorkerReportsResult,
} from './worker-protocol';
import {
  DecisionBody,
  GetRunQuery,
  ListRunsQuery,
  Run,
  RunDetail,
  RunEventsPage,
  RunEventsQuery,
  RunIdParams,
  RunPage,
  RunTaskParams,
  StartRunBody,
  Task,
  TaskInstancesQuery,
  TaskPage,
} from './runs';
import { BackfillBody, BackfillResult, Schedule } from './schedules';
import { DeletedSecret, SecretList, SecretNameParams, SecretsQuery, SetSecretBody, SetSecretResult } from './secrets';
import { RUN_STREAM_FRAMES, RUNS_STREAM_FRAMES, RunsStreamQuery, RunStreamQuery } from './streams';
import { ApiToken, CreatedApiToken, CreateTokenBody, ListTokensQuery, TokenIdParams, TokenPage } from './tokens';
import {
  ApplyResult,
  ApplyWorkflowBody,
  DeletedWorkflow,
  ListWorkflowsQuery,
  NamespaceQuery,
  Workflow,
  WorkflowNameParams,
  WorkflowPage,
  WorkflowVersion,
  WorkflowVersionParams,
  ApplyWorkflowQuery,
} from './workflows';

/**
 * Every route of the REST API (below /api/v1). The key is the typed client's method name. To add a
 * route: write its schemas in the resource's module and add one entry here (see docs/adr/0015).
 */
export const ROUTES = {
  // ---- workflows ----
  applyWorkflow: route({
    method: 'PUT',
    path: '/workflows',
    tag: 'workflows',
    summary: 'Apply a workflow definition (YAML or JSON body); idempotent by content; ?dryRun=true answers without storing',
    query: ApplyWorkflowQuery,
    body: ApplyWorkflowBody,
    acceptsYaml: true,
    response: ApplyResult,
    example: {
      request: 'apiVersion: flowctl/v1\nkind: Workflow\nmetadata:\n  name: hello\nspec:\n  tasks:\n    - name: greet\n      type: echo\n',
      response: { name: 'hello', namespace: 'default', version: 1, result: 'created' },
    },
  }),
  listWorkflows: route({
    method: 'GET',
    path: '/workflows',
    tag: 'workflows',
    summary: 'List workflows',
    query: ListWorkflowsQuery,
    response: WorkflowPage,
  }),
  getWorkflow: route({
    method: 'GET',
    path: '/workflows/:name',
    tag: 'workflows',
    summary: 'One workflow with its versions and current definition',
    params: WorkflowNameParams,
    query: NamespaceQuery,
    response: Workflow,
    errors: [404],
  }),
  getWorkflowVersion: route({
    method: 'GET',
    path: '/workflows/:name/versions/:version',
    tag: 'workflows',
    summary: 'One stored version of a workflow',
    params: WorkflowVersionParams,
    query: NamespaceQuery,
    response: WorkflowVersion,
    errors: [404],
  }),
  deleteWorkflow: route({
    method: 'DELETE',
    path: '/workflows/:name',
    tag: 'workflows',
    summary: 'Delete a workflow; its runs keep their history',
    params: WorkflowNameParams,
    query: NamespaceQuery,
    response: DeletedWorkflow,
    errors: [404],
  }),
  startRun: route({
    method: 'POST',
    path: '/workflows/:name/runs',
    tag: 'workflows',
    summary: 'Start a run: {inputs?, idempotencyKey?}; the same idempotencyKey returns the same run (200)',
    params: WorkflowNameParams,
    query: NamespaceQuery,
    body: StartRunBody,
    response: Run,
    status: 201,
    alsoStatus: 200,
    errors: [404, 409],
  }),

  // ---- events ----
  emitEvent: route({
    method: 'POST',
    path: '/events',
    tag: 'events',
    summary:
      'Send an event {name, id?, data}: every workflow of the namespace with a matching spec.on trigger starts a run; the id (given, or a hash of name and data) makes a retry start nothing twice',
    query: EventNamespaceQuery,
    body: EmitEventBody,
    response: Event,
    errors: [413],
  }),
  listEvents: route({
    method: 'GET',
    path: '/events',
    tag: 'events',
    summary: 'Received events, newest first, with the runs each started or why it was rejected',
    query: ListEventsQuery,
    response: EventPage,
  }),
  getEvent: route({
    method: 'GET',
    path: '/events/:id',
    tag: 'events',
    summary: 'One received event',
    params: EventIdParams,
    query: EventNamespaceQuery,
    response: Event,
    errors: [404],
  }),
  receiveHook: route({
    method: 'POST',
    path: '/hooks/:name',
    tag: 'events',
    summary:
      'A signed webhook call: the body becomes an event for the workflows declaring this hook in spec.on; a bad, missing or replayed signature is 401 and starts nothing',
    params: HookNameParams,
    query: EventNamespaceQuery,
    body: HookBody,
    response: Event,
    public: true,
    errors: [401, 404, 413],
  }),

  // ---- schedules ----
  getSchedule: route({
    method: 'GET',
    path: '/workflows/:name/schedule',
    tag: 'schedules',
    summary: "A workflow's cron schedule: next and last tick, paused or not",
    params: WorkflowNameParams,
    query: NamespaceQuery,
    response: Schedule,
    errors: [404],
  }),
  pauseSchedule: route({
    method: 'POST',
    path: '/workflows/:name/schedule/pause',
    tag: 'schedules',
    summary: 'Stop firing ticks until resumed',
    params: WorkflowNameParams,
    query: NamespaceQuery,
    body: NoBody,
    response: Schedule,
    status: 200,
    errors: [404],
  }),
  resumeSchedule: route({
    method: 'POST',
    path: '/workflows/:name/schedule/resume',
    tag: 'schedules',
    summary: 'Fire ticks again, from the next one after now (missed ticks are not replayed: backfill them)',
    params: WorkflowNameParams,
    query: NamespaceQuery,
    body: NoBody,
    response: Schedule,
    status: 200,
    errors: [404],
  }),
  backfillSchedule: route({
    method: 'POST',
    path: '/workflows/:name/backfill',
    tag: 'schedules',
    summary: 'Start one run per tick in (from, to]; ticks that already have a run are not started again',
    params: WorkflowNameParams,
    query: NamespaceQuery,
    body: BackfillBody,
    response: BackfillResult,
    status: 200,
    errors: [404, 409],
  }),

  // ---- runs ----
  listRuns: route({
    method: 'GET',
    path: '/runs',
    tag: 'runs',
    summary: 'Runs, newest first, filtered by workflow, status and created time (from inclusive, to exclusive)',
    query: ListRunsQuery,
    response: RunPage,
  }),
  getRun: route({
    method: 'GET',
    path: '/runs/:id',
    tag: 'runs',
    summary: 'A run with its tasks (tasksLimit/tasksCursor page the tasks of very large runs)',
    params: RunIdParams,
    query: GetRunQuery,
    response: RunDetail,
    errors: [404],
  }),
  listRunEvents: route({
    method: 'GET',
    path: '/runs/:id/events',
    tag: 'runs',
    summary:
      'The run event history, oldest first; with `before` (an event id), the latest `limit` events before it and `earlierBefore`, the id to page further back from (null at the start)',
    params: RunIdParams,
    query: RunEventsQuery,
    response: RunEventsPage,
    errors: [404],
  }),
  listRunNotifications: route({
    method: 'GET',
    path: '/runs/:id/notifications',
    tag: 'runs',
    summary: "The run's notification deliveries (spec.notify), oldest first, each with every attempt and its answer",
    params: RunIdParams,
    query: RunNotificationsQuery,
    response: NotificationPage,
    errors: [404],
  }),
  cancelRun: route({
    method: 'POST',
    path: '/runs/:id/cancel',
    tag: 'runs',
    summary: 'Cancel a run; running tasks get their AbortSignal fired',
    params: RunIdParams,
    body: NoBody,
    response: Run,
    status: 200,
    errors: [404, 409],
  }),
  retryRun: route({
    method: 'POST',
    path: '/runs/:id/retry',
    tag: 'runs',
    summary: 'Re-run a failed run from its failed tasks',
    params: RunIdParams,
    body: NoBody,
    response: Run,
    status: 200,
    errors: [404, 409],
  }),
  approveTask: route({
    method: 'POST',
    path: '/runs/:id/tasks/:name/approve',
    tag: 'runs',
    summary: 'Approve a waiting approval step',
    params: RunTaskParams,
    body: DecisionBody,
    response: Task,
    status: 200,
    errors: [404, 409],
  }),
  rejectTask: route({
    method: 'POST',
    path: '/runs/:id/tasks/:name/reject',
    tag: 'runs',
    summary: 'Reject a waiting approval step (the task fails, not retried)',
    params: RunTaskParams,
    body: DecisionBody,
    response: Task,
    status: 200,
    errors: [404, 409],
  }),
  getTask: route({
    method: 'GET',
    path: '/runs/:id/tasks/:name',
    tag: 'runs',
    summary: 'One task of a run: resolved input, output, error, worker, latest heartbeat details',
    params: RunTaskParams,
    response: Task,
    errors: [404],
  }),
  getTaskLogs: route({
    method: 'GET',
    path: '/runs/:id/tasks/:name/logs',
    tag: 'runs',
    summary: 'Log lines of one attempt of a task (default: the latest), oldest first; `after` takes a seq or a nextCursor',
    params: RunTaskParams,
    query: TaskLogsQuery,
    response: TaskLogPage,
    errors: [404],
  }),
  streamTaskLogs: route({
    method: 'GET',
    path: '/runs/:id/tasks/:name/logs/stream',
    tag: 'streams',
    summary:
      "SSE of one attempt's log (default: the latest): a `message` per line (id = seq), then `end` once the attempt is over and every line was sent; resumes after Last-Event-ID",
    params: RunTaskParams,
    query: TaskLogStreamQuery,
    response: z.string(),
    produces: 'event-stream',
    frames: TASK_LOG_STREAM_FRAMES,
    errors: [404],
  }),
  listTaskInstances: route({
    method: 'GET',
    path: '/runs/:id/tasks/:name/instances',
    tag: 'runs',
    summary:
      'The instances of a forEach task in item order, paged (limit, cursor), optionally of one status; large values are flagged, not inline',
    params: RunTaskParams,
    query: TaskInstancesQuery,
    response: TaskPage,
    errors: [404],
  }),

  // ---- streams (Server-Sent Events) ----
  streamRun: route({
    method: 'GET',
    path: '/runs/:id/stream',
    tag: 'streams',
    summary:
      'SSE of one run: `history` frames (events after Last-Event-ID), a `snapshot` (the run with its tasks), then live `events` deltas',
    params: RunIdParams,
    query: RunStreamQuery,
    response: z.string(),
    produces: 'event-stream',
    frames: RUN_STREAM_FRAMES,
    errors: [404],
  }),
  streamRuns: route({
    method: 'GET',
    path: '/stream',
    tag: 'streams',
    summary: 'SSE of run-level changes (id, workflow, status, counters, times) of every run, for live runs lists',
    query: RunsStreamQuery,
    response: z.string(),
    produces: 'event-stream',
    frames: RUNS_STREAM_FRAMES,
  }),

  // ---- dead letters ----
  listDeadLetters: route({
    method: 'GET',
    path: '/dead-letters',
    tag: 'dead-letters',
    summary: 'Tasks that exhausted their retries, newest first',
    query: ListDeadLettersQuery,
    response: DeadLetterPage,
  }),
  getDeadLetter: route({
    method: 'GET',
    path: '/dead-letters/:id',
    tag: 'dead-letters',
    summary: 'One dead letter',
    params: DeadLetterIdParams,
    response: DeadLetter,
    errors: [404],
  }),
  requeueDeadLetter: route({
    method: 'POST',
    path: '/dead-letters/:id/requeue',
    tag: 'dead-letters',
    summary: 'Give a dead task a fresh budget of attempts and let its run go on',
    params: DeadLetterIdParams,
    body: NoBody,
    response: RequeueResult,
    status: 200,
    errors: [404, 409],
  }),

  // ---- cluster ----
  listWorkers: route({
    method: 'GET',
    path: '/workers',
    tag: 'cluster',
    summary: 'Registered workers: types, concurrency, last heartbeat, status (active | draining | stopped | lost)',
    query: ListWorkersQuery,
    response: WorkerPage,
  }),
  getCluster: route({
    method: 'GET',
    path: '/cluster',
    tag: 'cluster',
    summary: 'Scheduler instances and the current leader',
    response: Cluster,
  }),
  listQueues: route({
    method: 'GET',
    path: '/queues',
    tag: 'cluster',
    summary: 'Depth of each task type queue (types served by registered workers): waiting, active, delayed, failed',
    response: QueuePage,
  }),

  // ---- secrets ----
  listSecrets: route({
    method: 'GET',
    path: '/secrets',
    tag: 'secrets',
    summary: 'The secrets of a namespace: names, key id and dates, never values',
    query: SecretsQuery,
    response: SecretList,
  }),
  setSecret: route({
    method: 'PUT',
    path: '/secrets/:name',
    tag: 'secrets',
    summary: 'Create or replace a secret {value}; stored encrypted, never returned',
    params: SecretNameParams,
    query: SecretsQuery,
    body: SetSecretBody,
    response: SetSecretResult,
    errors: [409],
  }),
  deleteSecret: route({
    method: 'DELETE',
    path: '/secrets/:name',
    tag: 'secrets',
    summary: 'Delete a secret; tasks that read it then fail as SecretNotFound',
    params: SecretNameParams,
    query: SecretsQuery,
    response: DeletedSecret,
    errors: [404],
  }),

  // ---- tokens ----
  createToken: route({
    method: 'POST',
    path: '/tokens',
    tag: 'tokens',
    summary: 'Create an API token {role, namespaces?, name?, expiresIn?}; the token is in this answer only',
    body: CreateTokenBody,
    response: CreatedApiToken,
    status: 201,
  }),
  listTokens: route({
    method: 'GET',
    path: '/tokens',
    tag: 'tokens',
    summary: 'API tokens, newest first (never the token itself)',
    query: ListTokensQuery,
    response: TokenPage,
  }),
  revokeToken: route({
    method: 'DELETE',
    path: '/tokens/:id',
    tag: 'tokens',
    summary: 'Revoke a token: it is refused from the next request on',
    params: TokenIdParams,
    response: ApiToken,
    errors: [404],
  }),

  // ---- audit ----
  listAudit: route({
    method: 'GET',
    path: '/audit',
    tag: 'audit',
    summary: 'Every change made through the API, newest first: who, what, target, namespace, when, outcome',
    query: ListAuditQuery,
    response: AuditPage,
  }),

  // ---- insights ----
  getInsights: route({
    method: 'GET',
    path: '/insights',
    tag: 'insights',
    summary:
      'How workflows behaved over a window: run outcomes and duration percentiles per workflow and overall, the slowest and most-retried tasks, task throughput, queue wait per task type and dead letters over time',
    query: InsightsQuery,
    response: Insights,
  }),

  // ---- the HTTP worker protocol ----
  workerPoll: route({
    method: 'POST',
    path: '/worker/poll',
    tag: 'worker protocol',
    summary: 'Long poll for tasks of the given types: leases up to max tasks, or none after waitMs (at most 30 s)',
    body: WorkerPollBody,
    response: WorkerPollResult,
  }),
  workerHeartbeat: route({
    method: 'POST',
    path: '/worker/tasks/:leaseId/heartbeat',
    tag: 'worker protocol',
    summary: 'Keep a leased attempt alive, with progress details; 409 when it is no longer current: stop working on it',
    params: LeaseIdParams,
    body: WorkerHeartbeatBody,
    response: WorkerHeartbeatResult,
    errors: [404, 409],
  }),
  workerComplete: route({
    method: 'POST',
    path: '/worker/tasks/:leaseId/complete',
    tag: 'worker protocol',
    summary: 'The attempt succeeded with this output; repeating it is harmless',
    params: LeaseIdParams,
    body: WorkerCompleteBody,
    response: WorkerReported,
    errors: [404, 409],
  }),
  workerFail: route({
    method: 'POST',
    path: '/worker/tasks/:leaseId/fail',
    tag: 'worker protocol',
    summary: "The attempt failed: retried by the task's policy, or for good when nonRetryable",
    params: LeaseIdParams,
    body: WorkerFailBody,
    response: WorkerReported,
    errors: [404, 409],
  }),
  workerReports: route({
    method: 'POST',
    path: '/worker/reports',
    tag: 'worker protocol',
    summary:
      'Outcomes of several leased attempts in one call (each as its complete or fail would be), answered one result per report; repeating one is harmless',
    body: WorkerReportsBody,
    response: WorkerReportsResult,
  }),
  workerLogs: route({
    method: 'POST',
    path: '/worker/tasks/:leaseId/logs',
    tag: 'worker protocol',
    summary: 'Log lines of the attempt (at most 1000 lines and 1 MiB a call)',
    params: LeaseIdParams,
    body: WorkerLogsBody,
    response: WorkerLogsResult,
    errors: [404],
  }),

  // ---- health ----
  healthz: route({
    method: 'GET',
    path: '/healthz',
    tag: 'health',
    summary: 'Liveness: the process answers',
    response: Liveness,
    public: true,
  }),
  readyz: route({
    method: 'GET',
    path: '/readyz',
    tag: 'health',
    summary: 'Readiness: not shutting down, and the database answers',
    response: Readiness,
    public: true,
    errors: [503],
  }),
  metrics: route({
    method: 'GET',
    path: '/metrics',
    tag: 'health',
    summary: 'Prometheus metrics',
    response: MetricsText,
    produces: 'text',
    public: true,
  }),
} as const;

export type Routes = typeof ROUTES;
export type RouteName = keyof Routes;

/** What a handler receives and answers, by route name. */
type SchemaOf<R, K extends string> = R extends Record<K, infer S extends z.ZodType> ? S : never;
export type QueryOf<N extends RouteName> = z.output<SchemaOf<Routes[N], 'query'>>;
export type BodyOf<N extends RouteName> = z.output<SchemaOf<Routes[N], 'body'>>;
export type ResponseOf<N extends RouteName> = z.output<Routes[N]['response']>;
