import {
  API_PREFIX,
  createFlowctlClient,
  type FlowctlClient,
  type InsightsQuery,
  type Page,
  type RunEvent,
  type RunEventsPage,
  type RunStatus,
  type TaskStatus,
} from '@flowctl/api-contract';

import { session as defaultSession, type Session } from './session';

export const API_BASE = API_PREFIX;

/** GET /runs/:id/events?before=ID: the events just before ID, oldest first, and where to page further back from. */
export type EarlierEventsPage = RunEventsPage & { earlierBefore: string | null };

/**
 * A request the scheduler refused (its `{statusCode, error, message}`), or one
 * that never reached it (status 0). `message` is what the dashboard shows.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }
}

type Query = Record<string, string | number | undefined | null>;

export interface RunListFilter {
  workflow?: string;
  status?: RunStatus;
  /** Created-time range, ISO timestamps: from inclusive, to exclusive. */
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export interface DeadLetterFilter {
  workflow?: string;
  type?: string;
  limit?: number;
  cursor?: string;
}

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * The dashboard's client of the REST API: the contract's typed client, with the session's token,
 * the dashboard's wording of refusals, and a sign-out on 401. Every method throws ApiError when refused.
 */
export class ApiClient {
  private readonly routes: FlowctlClient;

  constructor(
    base = API_BASE,
    fetcher: typeof fetch = (...args) => fetch(...args),
    private readonly session: Session = defaultSession,
    /** A token to try instead of the session's (the sign-in form checks one before keeping it). */
    private readonly tokenOverride?: string,
  ) {
    this.base = base;
    this.fetcher = fetcher;
    this.routes = createFlowctlClient({
      server: base.endsWith(API_PREFIX) ? base.slice(0, -API_PREFIX.length) : base,
      fetch: fetcher,
      token: () => this.tokenOverride ?? this.session.token ?? undefined,
      unreachable: () => new ApiError(0, 'Cannot reach the scheduler. Check that it is running, then try again.'),
      mapError: (error) => {
        if (error.statusCode === 401 && this.tokenOverride === undefined) this.session.unauthorized();
        return toApiError(error.statusCode, error.answer?.statusText ?? '', error.answer?.body);
      },
    });
  }

  private readonly base: string;
  private readonly fetcher: typeof fetch;

  /** The same client, asking with `token`; its 401s do not sign the session out. */
  withToken(token: string): ApiClient {
    return new ApiClient(this.base, this.fetcher, this.session, token);
  }

  // runs
  listRuns(filter: RunListFilter = {}, signal?: AbortSignal) {
    return this.routes.listRuns({ ...filter }, { signal });
  }
  getRun(id: string, signal?: AbortSignal) {
    return this.routes.getRun({ id, tasksLimit: 10_000 }, { signal });
  }
  /** The event that started a run (null for one started otherwise), without its tasks. */
  async getRunTrigger(id: string, signal?: AbortSignal) {
    return (await this.routes.getRun({ id, tasksLimit: 1 }, { signal })).event ?? null;
  }
  getTask(runId: string, name: string, signal?: AbortSignal) {
    return this.routes.getTask({ id: runId, name }, { signal });
  }
  listRunEvents(id: string, options: { limit?: number; cursor?: string } = {}, signal?: AbortSignal): Promise<Page<RunEvent>> {
    return this.routes.listRunEvents({ id, ...options }, { signal });
  }
  /** The `limit` events just before event `before`, oldest first, and where to page further back from. */
  async listEarlierRunEvents(id: string, before: string, limit = 1_000, signal?: AbortSignal): Promise<EarlierEventsPage> {
    const page = await this.routes.listRunEvents({ id, before, limit }, { signal });
    return { ...page, earlierBefore: page.earlierBefore ?? null };
  }
  /** A forEach task's instances in item order, optionally of one status. */
  listRunNotifications(id: string, signal?: AbortSignal) {
    return this.routes.listRunNotifications({ id, limit: 500 }, { signal });
  }
  listInstances(runId: string, task: string, options: { status?: TaskStatus; limit?: number; cursor?: string } = {}, signal?: AbortSignal) {
    return this.routes.listTaskInstances({ id: runId, name: task, ...options }, { signal });
  }
  cancelRun(id: string) {
    return this.routes.cancelRun({ id, body: {} });
  }
  retryRun(id: string) {
    return this.routes.retryRun({ id, body: {} });
  }
  approveTask(runId: string, task: string) {
    return this.routes.approveTask({ id: runId, name: task, body: {} });
  }
  rejectTask(runId: string, task: string) {
    return this.routes.rejectTask({ id: runId, name: task, body: {} });
  }

  // task logs
  getTaskLogs(
    runId: string,
    task: string,
    options: { attempt?: number; after?: string | number; limit?: number } = {},
    signal?: AbortSignal,
  ) {
    const { attempt, after, limit } = options;
    return this.routes.getTaskLogs({ id: runId, name: task, attempt: attempt?.toString(), after: after?.toString(), limit }, { signal });
  }

  // insights
  getInsights(query: InsightsQuery, signal?: AbortSignal) {
    return this.routes.getInsights({ ...query }, { signal });
  }

  // workflows
  listWorkflows(options: { limit?: number; cursor?: string } = {}, signal?: AbortSignal) {
    return this.routes.listWorkflows(options, { signal });
  }
  getWorkflow(name: string, namespace?: string, signal?: AbortSignal) {
    return this.routes.getWorkflow({ name, namespace }, { signal });
  }
  getWorkflowVersion(name: string, version: number, namespace?: string, signal?: AbortSignal) {
    return this.routes.getWorkflowVersion({ name, version: String(version), namespace }, { signal });
  }
  startRun(name: string, request: { inputs?: Record<string, unknown>; idempotencyKey?: string }, namespace?: string) {
    return this.routes.startRun({ name, namespace, body: request });
  }

  // dead letters
  listDeadLetters(filter: DeadLetterFilter = {}, signal?: AbortSignal) {
    return this.routes.listDeadLetters({ ...filter }, { signal });
  }
  getDeadLetter(id: string, signal?: AbortSignal) {
    return this.routes.getDeadLetter({ id }, { signal });
  }
  requeueDeadLetter(id: string) {
    return this.routes.requeueDeadLetter({ id, body: {} });
  }

  // events
  listEvents(
    filter: { name?: string; outcome?: 'matched' | 'unmatched' | 'rejected'; cursor?: string; limit?: number } = {},
    signal?: AbortSignal,
  ) {
    return this.routes.listEvents({ ...filter }, { signal });
  }

  // cluster
  listWorkers(signal?: AbortSignal) {
    return this.routes.listWorkers({ limit: 500 }, { signal });
  }
  listQueues(signal?: AbortSignal) {
    return this.routes.listQueues({}, { signal });
  }
  getCluster(signal?: AbortSignal) {
    return this.routes.getCluster({}, { signal });
  }

  /** Follows nextCursor until `max` items: for the few lists the dashboard needs whole (a run's events). */
  async all<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, max = 50_000): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await fetchPage(cursor);
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && items.length < max);
    return items;
  }

  /** EventSource cannot send headers: the stream endpoints (only they) take the token as `access_token`. */
  runStreamUrl(id: string): string {
    return this.routes.url('streamRun', { id, access_token: this.session.token ?? undefined });
  }
  runsStreamUrl(filter: { workflow?: string } = {}): string {
    return this.routes.url('streamRuns', { ...filter, access_token: this.session.token ?? undefined });
  }
}

/** Reads the scheduler's error body; anything else (a proxy's HTML page, an empty body) still gives a sentence. */
export function toApiError(status: number, statusText: string, body: unknown): ApiError {
  if (typeof body === 'object' && body !== null) {
    const { message, code, details } = body as { message?: unknown; code?: unknown; details?: unknown };
    const text = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : undefined;
    if (text) return new ApiError(status, text, typeof code === 'string' ? code : undefined, details);
  }
  if (status === 502 || status === 503 || status === 504)
    return new ApiError(status, 'The scheduler is unavailable right now. Try again in a moment.');
  return new ApiError(status, `The scheduler answered ${status}${statusText ? ` ${statusText}` : ''}.`);
}

export const api = new ApiClient();
