import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * One route of the REST API, as everything else reads it: the server binds its handler to it and
 * validates with its schemas, the OpenAPI document is written from it, and the typed client calls it.
 */
export interface RouteDefinition {
  method: HttpMethod;
  /** Below /api/v1, with `:name` parameters (as Express and Nest write them). */
  path: string;
  /** The OpenAPI tag: which resource the route belongs to. */
  tag: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Besides application/json, the body may be YAML text (PUT /workflows). */
  acceptsYaml?: boolean;
  response: z.ZodType;
  /** The success status; `alsoStatus` another success the route may answer (an idempotent repeat). */
  status?: number;
  alsoStatus?: number;
  /** JSON (the default), Prometheus text, or Server-Sent Events whose frames are `frames`. */
  produces?: 'json' | 'text' | 'event-stream';
  frames?: Record<string, z.ZodType>;
  /** No token needed. */
  public?: boolean;
  /** Error statuses this route answers besides 400/401/403/500 (404 for an unknown id, 409 for a conflict). */
  errors?: readonly number[];
  example?: { request?: unknown; response?: unknown };
}

/** Keeps each route's literal types (for the client and the handlers) while checking it is a route. */
export const route = <const R extends RouteDefinition>(definition: R): R => definition;
