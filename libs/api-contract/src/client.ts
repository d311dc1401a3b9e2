import type { z } from 'zod';
import type { RouteDefinition } from './route';
import { ROUTES, type RouteName, type Routes } from './routes';

/**
 * A typed client of the REST API: one method per route of ROUTES, its arguments and answer typed
 * from the route's schemas. Path parameters and query parameters travel in one object; a body as
 * its `body` field. A refusal is an ApiError carrying the server's `{statusCode, error, message}`.
 */

export const API_PREFIX = '/api/v1';

/** The server refused (its error body), or sent something that is not the API's answer. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    message: string,
    /** The reason phrase (`Not Found`) or the domain code (`WorkflowInvalid`). */
    readonly error?: string,
    readonly code?: string,
    readonly details?: unknown,
    /** What the answer said, for a client that words refusals its own way: the parsed body (undefined if not JSON) and the status text. */
    readonly answer?: { body: unknown; statusText: string },
  ) {
    super(message);
  }

  get isNotFound(): boolean {
    return this.statusCode === 404;
  }
}

type Input<S> = S extends z.ZodType ? z.input<S> : object;
type BodyArg<R> = R extends { body: infer B extends z.ZodType }
  ? undefined extends z.input<B>
    ? { body?: z.input<B> }
    : unknown extends z.input<B>
      ? { body?: unknown }
      : { body: z.input<B> }
  : object;

/** The one argument of a route's method: path and query parameters, and the body. */
export type RouteArgs<R> = (R extends { params: infer P } ? Input<P> : object) &
  (R extends { query: infer Q } ? Input<Q> : object) &
  BodyArg<R>;
export type RouteAnswer<R> = R extends { response: infer S extends z.ZodType } ? z.output<S> : never;

export interface CallOptions {
  signal?: AbortSignal;
}

type MethodOf<R> =
  object extends RouteArgs<R>
    ? (args?: RouteArgs<R>, options?: CallOptions) => Promise<RouteAnswer<R>>
    : (args: RouteArgs<R>, options?: CallOptions) => Promise<RouteAnswer<R>>;

export type FlowctlClient = { [N in RouteName]: MethodOf<Routes[N]> } & {
  /** The full URL of a route (for EventSource, which cannot be given headers: pass `access_token`). */
  url<N extends RouteName>(name: N, args?: RouteArgs<Routes[N]>): string;
  /** One call with its status too (POST /workflows/:name/runs answers 201 for a new run, 200 for a repeat). */
  call<N extends RouteName>(
    name: N,
    args?: RouteArgs<Routes[N]>,
    options?: CallOptions,
  ): Promise<{ status: number; body: RouteAnswer<Routes[N]> }>;
};

export interface ClientOptions {
  /** The scheduler's base URL (`http://localhost:8080`) or '' for the page's own origin. */
  server: string;
  /** Sent as `Authorization: Bearer`; a function is asked on every call (a session's current token). */
  token?: string | (() => string | undefined);
  fetch?: typeof fetch;
  /** Turns a request that never got an answer into the error to throw (default: ApiError with status 0). */
  unreachable?: (error: unknown) => Error;
  /** Turns every refusal into the error to throw (a CLI's own error class; a dashboard signs out on a 401 here). */
  mapError?: (error: ApiError) => Error;
  /** Parse each answer with its route's response schema (a test's or a strict client's choice). */
  validate?: boolean;
}

type Args = Record<string, unknown> & { body?: unknown };

/** A route's path with its parameters filled in (each one URL segment), and the rest as the query. */
function urlOf(base: string, definition: RouteDefinition, args: Args = {}): string {
  const used = new Set<string>(['body']);
  const path = definition.path.replace(/:([A-Za-z_]+)/g, (_match, name: string) => {
    used.add(name);
    const value = args[name];
    if (value === undefined || value === null) throw new TypeError(`${definition.method} ${definition.path}: ${name} is required`);
    return encodeURIComponent(String(value));
  });
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(args))
    if (!used.has(key) && value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const search = params.toString();
  return `${base}${path}${search ? `?${search}` : ''}`;
}

/** The error body `{statusCode, error, message, code?, details?}`; anything else still gives a sentence. */
export function apiErrorFrom(status: number, statusText: string, text: string): ApiError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const trimmed = text.trim();
    const message = trimmed && trimmed.length < 300 && !trimmed.startsWith('<') ? trimmed : fallback(status, statusText);
    return new ApiError(status, message, undefined, undefined, undefined, { body: undefined, statusText });
  }
  const answer = { body, statusText };
  if (typeof body === 'object' && body !== null) {
    const { message, error, code, details } = body as { message?: unknown; error?: unknown; code?: unknown; details?: unknown };
    const text = Array.isArray(message) ? message.map(String).join('; ') : typeof message === 'string' && message ? message : undefined;
    const name = typeof error === 'string' ? error : undefined;
    if (text) return new ApiError(status, text, name, typeof code === 'string' ? code : undefined, details, answer);
  }
  return new ApiError(status, fallback(status, statusText), undefined, undefined, undefined, answer);
}

const fallback = (status: number, statusText: string) => `${status} ${statusText || 'error'}`.trim();

export function createFlowctlClient(options: ClientOptions): FlowctlClient {
  const base = `${options.server.replace(/\/+$/, '')}${API_PREFIX}`;
  const fetcher = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));

  async function call(name: RouteName, args: Args = {}, callOptions: CallOptions = {}) {
    const definition: RouteDefinition = ROUTES[name];
    const token = typeof options.token === 'function' ? options.token() : options.token;
    const headers: Record<string, string> = { accept: definition.produces === 'text' ? 'text/plain' : 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (definition.body !== undefined && args.body !== undefined) {
      const yaml = definition.acceptsYaml && typeof args.body === 'string';
      headers['content-type'] = yaml ? 'application/yaml' : 'application/json';
      body = yaml ? (args.body as string) : JSON.stringify(args.body);
    } else if (definition.method === 'POST') {
      // An action without a body still says it is JSON: the server refuses bodies of other types.
      headers['content-type'] = 'application/json';
      body = '{}';
    }
    let response: Response;
    try {
      response = await fetcher(urlOf(base, definition, args), { method: definition.method, headers, body, signal: callOptions.signal });
    } catch (error) {
      if ((error as Error)?.name === 'AbortError') throw error;
      throw options.unreachable ? options.unreachable(error) : new ApiError(0, `cannot reach ${options.server || 'the scheduler'}`);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      const error = apiErrorFrom(response.status, response.statusText, text);
      throw options.mapError ? options.mapError(error) : error;
    }
    if (definition.produces === 'text') return { status: response.status, body: text };
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new ApiError(response.status, `the server answered ${definition.method} ${definition.path} with something that is not JSON`);
    }
    if (options.validate) {
      const result = definition.response.safeParse(parsed);
      if (!result.success)
        throw new ApiError(
          response.status,
          `the answer to ${definition.method} ${definition.path} is not as the contract says: ${result.error.message}`,
        );
    }
    return { status: response.status, body: parsed };
  }

  const client: Record<string, unknown> = {
    url: (name: RouteName, args?: Args) => urlOf(base, ROUTES[name], args),
    call,
  };
  for (const name of Object.keys(ROUTES) as RouteName[])
    client[name] = async (args?: Args, callOptions?: CallOptions) => (await call(name, args, callOptions)).body;
  return client as FlowctlClient;
}
