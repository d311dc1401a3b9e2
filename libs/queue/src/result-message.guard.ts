import type { ResultMessage } from './task-job';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isAttempt = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 1;
const LOG_LEVELS = new Set(['debug', 'info', 'warn', 'error']);
const LOG_STREAMS = new Set(['log', 'stdout', 'stderr', 'system']);
const isLogLine = (line: unknown): boolean =>
  isObject(line) &&
  isString(line.ts) &&
  isString(line.message) &&
  LOG_LEVELS.has(line.level as string) &&
  LOG_STREAMS.has(line.stream as string);
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * Data read back from the transport is checked before the engine trusts it: a
 * malformed message is dropped (and logged by the caller), never applied.
 */
export function parseResultMessage(data: unknown): ResultMessage | undefined {
  if (!isObject(data) || !isString(data.at)) return undefined;
  if (data.kind === 'worker') {
    const worker = data.worker;
    if (!isObject(worker) || !isString(worker.id) || !Array.isArray(worker.types)) return undefined;
    return data as ResultMessage;
  }
  if (
    !isString(data.taskRunId) ||
    !/^\d+$/.test(data.taskRunId) ||
    !isString(data.runId) ||
    !UUID.test(data.runId) ||
    !isAttempt(data.attempt) ||
    !isString(data.workerId)
  )
    return undefined;
  // A malformed trace context costs the trace, never the report.
  if (data.traceparent !== undefined && !(isString(data.traceparent) && TRACEPARENT.test(data.traceparent))) {
    const { traceparent: _dropped, ...rest } = data;
    return parseResultMessage(rest);
  }
  // Likewise a malformed log tail costs its lines, never the outcome that carries it.
  if (data.logs !== undefined && !(isObject(data.logs) && Array.isArray(data.logs.lines) && data.logs.lines.every(isLogLine))) {
    const { logs: _dropped, ...rest } = data;
    return parseResultMessage(rest);
  }
  switch (data.kind) {
    case 'started':
    case 'heartbeat':
      return data as ResultMessage;
    case 'logs':
      return Array.isArray(data.lines) && data.lines.every(isLogLine) ? (data as ResultMessage) : undefined;
    case 'succeeded':
      return isString(data.startedAt) ? (data as ResultMessage) : undefined;
    case 'failed':
      return isString(data.startedAt) && isObject(data.error) && isString(data.error.type) && isString(data.error.message)
        ? (data as ResultMessage)
        : undefined;
    default:
      return undefined;
  }
}
