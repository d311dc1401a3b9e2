import { InvalidInput, TASK_TYPE_PATTERN, WORKFLOW_LIMITS } from '@flowctl/core';
import { z } from 'zod';

/** The longest a poll waits for a task, and the default: a worker with nothing to do asks twice a minute. */
export const MAX_WAIT_MS = 30_000;
export const MAX_LOG_LINES = 1_000;
export const MAX_LOG_BYTES = 1_048_576;

const pollSchema = z.strictObject({
  workerId: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._:@-]+$/, 'may hold only letters, digits and . _ : @ -'),
  types: z
    .array(z.string().max(WORKFLOW_LIMITS.maxNameLength).regex(TASK_TYPE_PATTERN, 'is not a task type name'))
    .min(1)
    .max(50)
    .refine((types) => new Set(types).size === types.length, 'must not repeat a type'),
  max: z.number().int().min(1).max(100).default(1),
  waitMs: z.number().int().min(0).max(MAX_WAIT_MS).default(MAX_WAIT_MS),
  concurrency: z.number().int().min(1).max(100_000).optional(),
  host: z.string().max(255).optional(),
  version: z.string().max(128).optional(),
});
export type PollRequest = z.infer<typeof pollSchema>;

const heartbeatSchema = z.strictObject({ details: z.unknown().optional() });
export type HeartbeatRequest = z.infer<typeof heartbeatSchema>;

const completeSchema = z.strictObject({ output: z.unknown().optional(), traceparent: z.string().max(128).optional() });
export type CompleteRequest = z.infer<typeof completeSchema>;

const failSchema = z.strictObject({
  error: z.strictObject({
    type: z.string().min(1).max(200),
    message: z.string().max(65_536),
    stack: z.string().max(65_536).optional(),
    nonRetryable: z.boolean().optional(),
    details: z.unknown().optional(),
  }),
  details: z.unknown().optional(),
  traceparent: z.string().max(128).optional(),
});
export type FailRequest = z.infer<typeof failSchema>;

const logsSchema = z.strictObject({
  lines: z
    .array(
      z.strictObject({
        ts: z.iso.datetime({ offset: true }).optional(),
        level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
        message: z.string(),
        stream: z.enum(['log', 'stdout', 'stderr']).default('log'),
      }),
    )
    .max(MAX_LOG_LINES),
});
export type LogsRequest = z.infer<typeof logsSchema>;

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const reasons = result.error.issues.slice(0, 5).map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`);
  throw new InvalidInput(`bad ${what} request: ${reasons.join('; ')}`);
}

export const parsePoll = (body: unknown): PollRequest => parse(pollSchema, body, 'poll');
export const parseHeartbeat = (body: unknown): HeartbeatRequest => parse(heartbeatSchema, body, 'heartbeat');
export const parseComplete = (body: unknown): CompleteRequest => parse(completeSchema, body, 'complete');
export const parseFail = (body: unknown): FailRequest => parse(failSchema, body, 'fail');

export function parseLogs(body: unknown): LogsRequest {
  const request = parse(logsSchema, body, 'logs');
  const bytes = request.lines.reduce((sum, line) => sum + Buffer.byteLength(line.message), 0);
  if (bytes > MAX_LOG_BYTES)
    throw new InvalidInput(`bad logs request: the lines hold ${bytes} bytes; the limit per call is ${MAX_LOG_BYTES}`);
  return request;
}
