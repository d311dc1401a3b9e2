import type { TaskLogLine } from '@flowctl/api-contract';
import { api as defaultApi, withQuery, API_BASE, type ApiClient } from './client';
import { session } from './session';

// The shapes are the API contract's: one definition for the server, the CLI and this tab.
export { TASK_LOG_LEVELS as LOG_LEVELS, TASK_LOG_STREAMS as LOG_STREAMS } from '@flowctl/api-contract';
export type LogLevel = TaskLogLine['level'];
export type LogStream = TaskLogLine['stream'];
export type LogLine = TaskLogLine;
export interface LogPage {
  items: LogLine[];
  /** Where the next page starts; null on the last page. */
  nextCursor: string | null;
}

/** The most lines the API returns in one page. */
export const LOG_PAGE_LIMIT = 10_000;

const segment = (value: string) => encodeURIComponent(value);
/** Below the API base: the stream's URL is built here, since EventSource takes a URL, not a client. */
const logsPath = (runId: string, task: string) => `/runs/${segment(runId)}/tasks/${segment(task)}/logs`;

/** A page of an attempt's log (default: the latest attempt), oldest first, after `after` (a seq or a nextCursor). */
export function getTaskLogPage(
  runId: string,
  task: string,
  options: { attempt?: number; after?: string | number; limit?: number } = {},
  signal?: AbortSignal,
  client: ApiClient = defaultApi,
): Promise<LogPage> {
  return client.getTaskLogs(runId, task, options, signal);
}

/**
 * The live log of an attempt as Server-Sent Events: `message` events (id = seq, data = a LogLine),
 * then `end` once the attempt is over and every line was sent. EventSource cannot send headers, so
 * the token travels as `access_token`, and the resume point of a new connection as `lastEventId`.
 */
export function taskLogStreamUrl(runId: string, task: string, options: { attempt?: number; afterSeq?: number } = {}): string {
  return `${API_BASE}${withQuery(`${logsPath(runId, task)}/stream`, {
    attempt: options.attempt,
    lastEventId: options.afterSeq || undefined,
    access_token: session.token,
  })}`;
}

/** Reads every page of an attempt's log, calling `onPage` as each arrives (a long log shows while it loads). */
export async function readWholeTaskLog(
  runId: string,
  task: string,
  attempt: number | undefined,
  onPage: (lines: LogLine[]) => void,
  signal?: AbortSignal,
  client: ApiClient = defaultApi,
): Promise<void> {
  let after: string | undefined;
  do {
    const page = await getTaskLogPage(runId, task, { attempt, after, limit: LOG_PAGE_LIMIT }, signal, client);
    onPage(page.items);
    after = page.nextCursor ?? undefined;
  } while (after);
}
