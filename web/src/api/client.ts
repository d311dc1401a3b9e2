import type {
  Cluster,
  DeadLetter,
  EarlierEventsPage,
  Page,
  QueueDepth,
  RequeueResult,
  Run,
  RunDetail,
  RunEvent,
  RunStatus,
  Task,
  TaskStatus,
  Worker,
  Workflow,
  WorkflowSummary,
  WorkflowVersion,
} from './types';

import { session as defaultSession, type Session } from './session';

export const API_BASE = '/api/v1';

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

const segment = (value: string) => encodeURIComponent(value);

/** The one typed client of the scheduler's REST API. Every method throws ApiError when refused. */
export class ApiClient {
  constructor(
    private readonly base = API_BASE,
    private readonly fetcher: typeof fetch = (...args) => fetch(...args),
    private readonly session: Session = defaultSession,
    /** A token to try instead of the session's (the sign-in form checks one before keeping it). */
    private readonly tokenOverride?: string,
  ) {}

  /** The same client, asking with `token`; its 401s do not sign the session out. */
  withToken(token: string): ApiClient {
    return new ApiClient(this.base, this.fetcher, this.session, token);
  }

  async request<T>(method: string, path: string, options: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
    let response: Response;
    try {
      const token = this.tokenOverride ?? this.session.token;
      response = await this.fetcher(`${this.base}${withQuery(path, options.query)}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0, 'Cannot reach the scheduler. Check that it is running, then try again.');
    }
    const text = await response.text();
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (response.status === 401 && this.tokenOverride === undefined) this.session.unauthorized();
    if (!response.ok) throw toApiError(response.status, response.statusText, body);
    return body as T;
  }

  // runs
  listRuns(filter: RunListFilter = {}, signal?: AbortSignal) {
    return this.request<Page<Run>>('GET', '/runs', { query: { ...filter }, signal });
  }
  getRun(id: string, signal?: AbortSignal) {
    return this.request<RunDetail>('GET', `/runs/${segment(id)}`, { query: { tasksLimit: 10_000 }, signal });
  }
  getTask(runId: string, name: string, signal?: AbortSignal) {
    return this.request<Task>('GET', `/runs/${segment(runId)}/tasks/${segment(name)}`, { signal });
  }
  listRunEvents(id: string, options: { limit?: number; cursor?: string } = {}, signal?: AbortSignal) {
    return this.request<Page<RunEvent>>('GET', `/runs/${segment(id)}/events`, { query: options, signal });
  }
  /** The `limit` events just before event `before`, oldest first, and where to page further back from. */
  listEarlierRunEvents(id: string, before: string, limit = 1_000, signal?: AbortSignal) {
    return this.request<EarlierEventsPage>('GET', `/runs/${segment(id)}/events`, { query: { before, limit }, signal });
  }
  /** A forEach task's instances in item order, optionally of one status. */
  listInstances(runId: string, task: string, options: { status?: TaskStatus; limit?: number; cursor?: string } = {}, signal?: AbortSignal) {
    return this.request<Page<Task>>('GET', `/runs/${segment(runId)}/tasks/${segment(task)}/instances`, { query: options, signal });
  }
  cancelRun(id: string) {
    return this.request<Run>('POST', `/runs/${segment(id)}/cancel`, { body: {} });
  }
  retryRun(id: string) {
    return this.request<Run>('POST', `/runs/${segment(id)}/retry`, { body: {} });
  }
  approveTask(runId: string, task: string) {
    return this.request<Task>('POST', `/runs/${segment(runId)}/tasks/${segment(task)}/approve`, { body: {} });
  }
  rejectTask(runId: string, task: string) {
    return this.request<Task>('POST', `/runs/${segment(runId)}/tasks/${segment(task)}/reject`, { body: {} });
  }

  // workflows
  listWorkflows(options: { limit?: number; cursor?: string } = {}, signal?: AbortSignal) {
    return this.request<Page<WorkflowSummary>>('GET', '/workflows', { query: options, signal });
  }
  getWorkflow(name: string, namespace?: string, signal?: AbortSignal) {
    return this.request<Workflow>('GET', `/workflows/${segment(name)}`, { query: { namespace }, signal });
  }
  getWorkflowVersion(name: string, version: number, namespace?: string, signal?: AbortSignal) {
    return this.request<WorkflowVersion>('GET', `/workflows/${segment(name)}/versions/${version}`, { query: { namespace }, signal });
  }
  startRun(name: string, request: { inputs?: Record<string, unknown>; idempotencyKey?: string }, namespace?: string) {
    return this.request<Run>('POST', `/workflows/${segment(name)}/runs`, { query: { namespace }, body: request });
  }

  // dead letters
  listDeadLetters(filter: DeadLetterFilter = {}, signal?: AbortSignal) {
    return this.request<Page<DeadLetter>>('GET', '/dead-letters', { query: { ...filter }, signal });
  }
  getDeadLetter(id: string, signal?: AbortSignal) {
    return this.request<DeadLetter>('GET', `/dead-letters/${segment(id)}`, { signal });
  }
  requeueDeadLetter(id: string) {
    return this.request<RequeueResult>('POST', `/dead-letters/${segment(id)}/requeue`, { body: {} });
  }

  // cluster
  listWorkers(signal?: AbortSignal) {
    return this.request<Page<Worker>>('GET', '/workers', { query: { limit: 500 }, signal });
  }
  listQueues(signal?: AbortSignal) {
    return this.request<Page<QueueDepth>>('GET', '/queues', { signal });
  }
  getCluster(signal?: AbortSignal) {
    return this.request<Cluster>('GET', '/cluster', { signal });
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
    return `${this.base}${withQuery(`/runs/${segment(id)}/stream`, { access_token: this.session.token })}`;
  }
  runsStreamUrl(filter: { workflow?: string } = {}): string {
    return `${this.base}${withQuery('/stream', { ...filter, access_token: this.session.token })}`;
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
