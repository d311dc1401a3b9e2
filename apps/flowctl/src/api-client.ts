import type { Page } from './api-types';
import { ApiError, InvalidInput, ServerUnreachable, messageOf } from './errors';
import { eventFrames, openEventStream, type EventFrame } from './event-stream';

export { ApiError } from './errors';

export const DEFAULT_SERVER = 'http://localhost:8080';

/** How long one request may take before the server counts as unreachable. */
const REQUEST_TIMEOUT_MS = 30_000;

export type Query = Record<string, string | number | undefined>;

export interface RequestOptions {
  query?: Query;
  /** A JSON body (serialised here) ... */
  json?: unknown;
  /** ... or a raw body with its content type (YAML for `apply`). */
  raw?: { body: string; contentType: string };
}

export interface ApiResponse<T> {
  status: number;
  body: T;
}

/** `--server` wins over `FLOWCTL_SERVER`, which wins over the default. */
export function resolveServer(option: string | undefined, env: Record<string, string | undefined>): string {
  const value = (option ?? env['FLOWCTL_SERVER'] ?? '').trim() || DEFAULT_SERVER;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new InvalidInput(`invalid server URL "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidInput(`invalid server URL "${value}": only http and https are supported`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** `--token` wins over `FLOWCTL_TOKEN`; none at all suits a scheduler without auth (`flowctl dev`). */
export function resolveToken(option: string | undefined, env: Record<string, string | undefined>): string | undefined {
  const value = (option ?? env['FLOWCTL_TOKEN'] ?? '').trim();
  if (value === '') return undefined;
  if (/\s/.test(value)) throw new InvalidInput('the token must not contain whitespace');
  return value;
}

/** A thin typed client of the scheduler's REST API (`${server}/api/v1`). */
export class ApiClient {
  private readonly baseUrl: string;

  constructor(
    readonly server: string,
    private readonly fetchImpl: typeof fetch = fetch,
    /** Sent as `Authorization: Bearer`; absent against a scheduler without auth. */
    private readonly token?: string,
  ) {
    this.baseUrl = `${server.replace(/\/+$/, '')}/api/v1`;
  }

  async get<T>(path: string, query?: Query): Promise<T> {
    return (await this.send<T>('GET', path, { query })).body;
  }

  /**
   * One page of a list (`{items, nextCursor}`), or with `all` every page, following
   * `cursor=nextCursor` until the server answers a null cursor.
   */
  async list<T>(path: string, query: Query = {}, options: { all?: boolean } = {}): Promise<Page<T>> {
    const items: T[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (;;) {
      const page = await this.get<Page<T>>(path, { ...query, cursor });
      items.push(...(page?.items ?? []));
      const next = page?.nextCursor ?? null;
      // A cursor seen before would loop forever; stop rather than trust it.
      if (!options.all || next === null || next === '' || seen.has(next)) return { items, nextCursor: options.all ? null : next };
      seen.add(next);
      cursor = next;
    }
  }

  async post<T>(path: string, json?: unknown): Promise<T> {
    return (await this.send<T>('POST', path, { json })).body;
  }

  async put<T>(path: string, json?: unknown, query?: Query): Promise<T> {
    return (await this.send<T>('PUT', path, { json, query })).body;
  }

  async delete<T>(path: string, query?: Query): Promise<T> {
    return (await this.send<T>('DELETE', path, { query })).body;
  }

  async send<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = this.urlFor(path, options.query);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (options.raw) {
      headers['content-type'] = options.raw.contentType;
      body = options.raw.body;
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }

    let response: Response;
    try {
      response = await this.fetchImpl(url, { method, headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      throw new ServerUnreachable(this.server, describeFetchFailure(error));
    }

    const text = await response.text().catch(() => '');
    if (!response.ok) throw apiErrorFrom(response, text);
    if (text === '') return { status: response.status, body: undefined as T };
    try {
      return { status: response.status, body: JSON.parse(text) as T };
    } catch {
      throw new ApiError(response.status, `the server answered ${method} ${path} with something that is not JSON`);
    }
  }

  /**
   * The frames of a Server-Sent Events endpoint, as they come, until the server ends the stream.
   * No request timeout: a live stream is silent as long as nothing happens.
   */
  async *events(path: string, query: Query = {}, lastEventId?: string): AsyncGenerator<EventFrame> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    const response = await openEventStream(this.fetchImpl, this.urlFor(path, query), headers);
    if (!response.ok) throw apiErrorFrom(response, await response.text().catch(() => ''));
    if (!response.body) return;
    yield* eventFrames(response.body as unknown as AsyncIterable<Uint8Array>);
  }

  private urlFor(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
  }
}

/** Path segments come from the user (`describe run ID`); keep them one segment each. */
export const segment = (value: string | number): string => encodeURIComponent(String(value));

function apiErrorFrom(response: Response, text: string): ApiError {
  const fallback = `${response.status} ${response.statusText || 'error'}`.trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return new ApiError(response.status, text.trim() && text.length < 300 ? text.trim() : fallback);
  }
  if (typeof parsed !== 'object' || parsed === null) return new ApiError(response.status, fallback);
  const body = parsed as { message?: unknown; error?: unknown };
  // SPEC shape: {statusCode, error, message}; also accept {error: {code, message}}.
  const nested = typeof body.error === 'object' && body.error !== null ? (body.error as { code?: unknown; message?: unknown }) : undefined;
  const message = textOf(body.message) ?? textOf(nested?.message) ?? fallback;
  const name = typeof body.error === 'string' ? body.error : typeof nested?.code === 'string' ? nested.code : undefined;
  return new ApiError(response.status, message, name);
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  // Nest's validation pipe answers a list of messages.
  if (Array.isArray(value) && value.length > 0) return value.map(String).join('; ');
  return undefined;
}

function describeFetchFailure(error: unknown): string {
  const failure = (error ?? {}) as { name?: unknown; cause?: unknown };
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000}s`;
  // undici reports "fetch failed" and keeps the socket error (ECONNREFUSED, ENOTFOUND, ...) in `cause`.
  const cause = failure.cause as { message?: unknown; code?: unknown; errors?: unknown } | undefined;
  if (cause && typeof cause === 'object') {
    // Happy-eyeballs connects fail with an AggregateError whose own message is empty.
    const first: unknown = Array.isArray(cause.errors) ? cause.errors[0] : undefined;
    if (!cause.message && first !== undefined) return messageOf(first);
    if (typeof cause.message === 'string' && cause.message) return cause.message;
    if (typeof cause.code === 'string') return cause.code;
  }
  return messageOf(error);
}
