import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { readWholeTaskLog, taskLogStreamUrl, type LogLine } from '../api/task-logs';
import { appendNewLines } from '../model/log-lines';

export type TaskLogLive = 'off' | 'connecting' | 'live' | 'reconnecting' | 'ended';

export interface TaskLogState {
  /** The attempt's lines, oldest first. Appended in place: `version` tells when it grew. */
  lines: LogLine[];
  version: number;
  /** History is still being paged in. */
  loading: boolean;
  live: TaskLogLive;
  error?: ApiError;
}

/** New lines from the stream are shown together at most this often: a chatty task does not re-render per line. */
const FLUSH_MS = 50;
const MAX_BACKOFF_MS = 30_000;

/**
 * The log of one attempt of a task: its history paged from the REST API, then, while the attempt
 * can still write (`streaming` when the history is in), the live tail over SSE from the last line
 * read, until the server's `end`. `attempt` 0 is a task that has not started: the stream then
 * follows its first attempt.
 */
export function useTaskLog(runId: string, task: string, attempt: number, streaming: boolean): TaskLogState {
  const [state, setState] = useState<TaskLogState>({ lines: [], version: 0, loading: true, live: 'off' });
  const streamingRef = useRef(streaming);
  streamingRef.current = streaming;

  useEffect(() => {
    const lines: LogLine[] = [];
    const controller = new AbortController();
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let flush: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let closed = false;
    const set = (patch: Partial<TaskLogState>) => setState((previous) => ({ ...previous, ...patch, lines }));
    const grew = () => setState((previous) => ({ ...previous, lines, version: previous.version + 1 }));
    setState({ lines, version: 0, loading: true, live: 'off' });

    const lastSeq = () => lines[lines.length - 1]?.seq ?? 0;
    const open = () => {
      if (closed || typeof EventSource === 'undefined') return;
      set({ live: failures === 0 ? 'connecting' : 'reconnecting' });
      // A new connection resumes after the last line held; the browser's own reconnects send Last-Event-ID.
      source = new EventSource(taskLogStreamUrl(runId, task, { attempt: attempt || undefined, afterSeq: lastSeq() }));
      source.onopen = () => {
        failures = 0;
        set({ live: 'live' });
      };
      source.onmessage = (event: MessageEvent<string>) => {
        let line: LogLine;
        try {
          line = JSON.parse(event.data) as LogLine;
        } catch {
          return;
        }
        if (appendNewLines(lines, [line]) > 0 && flush === undefined)
          flush = setTimeout(() => {
            flush = undefined;
            grew();
          }, FLUSH_MS);
      };
      source.addEventListener('end', () => {
        source?.close();
        source = undefined;
        clearTimeout(flush);
        flush = undefined;
        setState((previous) => ({ ...previous, lines, version: previous.version + 1, live: 'ended' }));
      });
      source.onerror = () => {
        if (closed || !source) return;
        if (source.readyState !== EventSource.CLOSED) return set({ live: 'reconnecting' });
        // The server answered with an error instead of a stream: the browser gave up; try again later.
        source.close();
        source = undefined;
        failures += 1;
        set({ live: 'reconnecting' });
        retry = setTimeout(open, Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.min(failures, 5)));
      };
    };

    readWholeTaskLog(
      runId,
      task,
      attempt || undefined,
      (page) => {
        if (appendNewLines(lines, page) > 0) grew();
      },
      controller.signal,
    ).then(
      () => {
        set({ loading: false });
        if (streamingRef.current) open();
      },
      (error: unknown) => {
        if ((error as Error).name === 'AbortError') return;
        set({ loading: false, error: error instanceof ApiError ? error : new ApiError(0, String(error)) });
      },
    );

    return () => {
      closed = true;
      controller.abort();
      clearTimeout(retry);
      clearTimeout(flush);
      source?.close();
    };
  }, [runId, task, attempt]);

  return state;
}
