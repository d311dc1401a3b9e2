import { z } from 'zod';

/**
 * Shapes every resource shares. Response objects are strict (an unknown field is an error) so a
 * renamed or added field fails the contract test instead of drifting silently into clients.
 */

/** Times cross the API as ISO 8601 UTC text (`2026-01-31T12:00:00.000Z`). */
export const Timestamp = z.iso.datetime({ offset: true }).meta({ example: '2026-01-31T12:00:00.000Z' });

export const RUN_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'] as const;
export const RunStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatus>;
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled', 'timed_out'];
export const isRunTerminal = (status: string): boolean => (TERMINAL_RUN_STATUSES as readonly string[]).includes(status);

export const TASK_STATUSES = ['pending', 'queued', 'running', 'retrying', 'succeeded', 'failed', 'skipped', 'cancelled', 'dead'] as const;
export const TaskStatus = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatus>;

/** Any JSON value a user supplied or a task produced. */
export const JsonValue = z.unknown();

/** Every list: `{items, nextCursor}`, nextCursor null on the last page. */
export const pageOf = <Item extends z.ZodType>(item: Item) => z.strictObject({ items: z.array(item), nextCursor: z.string().nullable() });
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The one error body: `{statusCode, error, message}`, plus the domain `code` and `details` when there are any. */
export const ApiErrorBody = z
  .strictObject({
    statusCode: z.number().int(),
    error: z.string(),
    message: z.string(),
    code: z.string().optional(),
    details: z.unknown().optional(),
  })
  .meta({ id: 'ApiError', example: { statusCode: 400, error: 'Bad Request', message: 'limit must be an integer from 1 to 500' } });
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

/** A task failure as it crosses the API: data, with the worker's stack when there is one. */
export const TaskError = z
  .object({
    type: z.string(),
    message: z.string(),
    stack: z.string().optional(),
    nonRetryable: z.boolean().optional(),
    details: z.unknown().optional(),
  })
  .meta({ id: 'TaskError' });
export type TaskError = z.infer<typeof TaskError>;

// ---- query parameters: they arrive as text; '' means absent, as the API has always read them ----

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `limit`-like: an integer in 1..max, `fallback` when absent. */
export const limitParam = (name: string, fallback: number, max: number) =>
  z
    .union([z.string(), z.number()], { error: `${name} must be an integer from 1 to ${max}` })
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return fallback;
      const number = Number(value);
      if (Number.isInteger(number) && number >= 1 && number <= max) return number;
      context.addIssue({ code: 'custom', message: `${name} must be an integer from 1 to ${max}` });
      return z.NEVER;
    })
    .meta({ description: `Page size, 1 to ${max} (default ${fallback})` });

/** A text parameter; absent or '' is undefined. */
export const textParam = (name: string, description?: string) =>
  z
    .string({ error: `${name} must be a string` })
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .meta(description ? { description } : {});

/** An opaque cursor: what the previous page's nextCursor said. */
export const cursorParam = textParam('cursor', "The previous page's nextCursor");

export const namespaceParam = z
  .string({ error: 'namespace must be a string' })
  .optional()
  .transform((value, context) => {
    if (value === undefined || value === '') return undefined;
    if (NAME.test(value) && value.length <= 63) return value;
    context.addIssue({ code: 'custom', message: `namespace "${value}" is not a valid name` });
    return z.NEVER;
  })
  .meta({ description: 'The namespace (default: the token\'s own, or "default")' });

export const enumParam = <const Values extends readonly [string, ...string[]]>(name: string, values: Values) =>
  z
    .union([z.literal(''), z.enum(values)], { error: `${name} must be one of ${values.join(', ')}` })
    .optional()
    .transform((value): Values[number] | undefined => (value === '' ? undefined : value));

/** `true` or `false` (an empty value is true, as `?dryRun` alone reads). */
export const flagParam = (name: string, description: string) =>
  z
    .union([z.literal(''), z.enum(['true', 'false'])], { error: `${name} must be true or false` })
    .optional()
    .transform((value) => value === '' || value === 'true')
    .meta({ description });

/** A created-time bound: any ISO 8601 time, normalised to UTC. */
export const timeParam = (name: string, description: string) =>
  z
    .string({ error: `${name} must be an ISO 8601 time such as 2026-01-31T12:00:00Z` })
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return undefined;
      const time = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(value) : NaN;
      if (!Number.isNaN(time)) return new Date(time).toISOString();
      context.addIssue({ code: 'custom', message: `${name} must be an ISO 8601 time such as 2026-01-31T12:00:00Z` });
      return z.NEVER;
    })
    .meta({ description });

export const pageQuery = (fallback = 50, max = 500) => ({ limit: limitParam('limit', fallback, max), cursor: cursorParam });

/** No query parameters. */
export const NoQuery = z.object({});
/** No body: whatever is sent is ignored. */
export const NoBody = z.unknown();
