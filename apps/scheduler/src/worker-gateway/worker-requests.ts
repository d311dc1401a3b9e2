import { InvalidInput } from '@flowctl/core';
import {
  MAX_LOG_BYTES_PER_CALL,
  MAX_LOG_LINES_PER_CALL,
  MAX_POLL_WAIT_MS,
  WorkerCompleteBody,
  WorkerFailBody,
  WorkerHeartbeatBody,
  WorkerLogsBody,
  WorkerPollBody,
  WorkerReportsBody,
} from '@flowctl/api-contract';
import type { z } from 'zod';

export const MAX_WAIT_MS = MAX_POLL_WAIT_MS;
export const MAX_LOG_LINES = MAX_LOG_LINES_PER_CALL;
export const MAX_LOG_BYTES = MAX_LOG_BYTES_PER_CALL;

// The schemas are the API contract's; this module only turns a refusal into the protocol's 400 message.
const pollSchema = WorkerPollBody;
const heartbeatSchema = WorkerHeartbeatBody;
const completeSchema = WorkerCompleteBody;
const failSchema = WorkerFailBody;
const logsSchema = WorkerLogsBody;
const reportsSchema = WorkerReportsBody;
export type PollRequest = z.infer<typeof pollSchema>;
export type HeartbeatRequest = z.infer<typeof heartbeatSchema>;
export type CompleteRequest = z.infer<typeof completeSchema>;
export type FailRequest = z.infer<typeof failSchema>;
export type LogsRequest = z.infer<typeof logsSchema>;
export type ReportsRequest = z.infer<typeof reportsSchema>;

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
export const parseReports = (body: unknown): ReportsRequest => parse(reportsSchema, body, 'reports');

export function parseLogs(body: unknown): LogsRequest {
  const request = parse(logsSchema, body, 'logs');
  const bytes = request.lines.reduce((sum, line) => sum + Buffer.byteLength(line.message), 0);
  if (bytes > MAX_LOG_BYTES)
    throw new InvalidInput(`bad logs request: the lines hold ${bytes} bytes; the limit per call is ${MAX_LOG_BYTES}`);
  return request;
}
