import { z } from 'zod';
import { limitParam, pageOf, textParam } from './common';

export const TASK_LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** `log`: the handler's logger; `stdout`/`stderr`: a process's output; `system`: what flowctl notes (lines dropped, a lost worker). */
export const TASK_LOG_STREAMS = ['log', 'stdout', 'stderr', 'system'] as const;

/** One line of an attempt's log; `seq` numbers the attempt's lines from 1 and is the cursor to read on from. */
export const TaskLogLine = z
  .strictObject({
    seq: z.number().int(),
    ts: z.string(),
    level: z.enum(TASK_LOG_LEVELS),
    stream: z.enum(TASK_LOG_STREAMS),
    message: z.string(),
  })
  .meta({
    id: 'TaskLogLine',
    example: { seq: 1, ts: '2026-12-07T02:00:00.000Z', level: 'info', stream: 'stdout', message: 'extracting 1,204 rows' },
  });
export type TaskLogLine = z.infer<typeof TaskLogLine>;

export const TaskLogPage = pageOf(TaskLogLine);

/** `attempt` and `after` are checked by the server, which names what is wrong. */
export const TaskLogsQuery = z.object({
  attempt: textParam('attempt', 'The attempt (default: the latest)'),
  after: textParam('after', "A line's seq or the previous page's nextCursor: the lines after it"),
  limit: limitParam('limit', 1_000, 10_000),
});

export const TaskLogStreamQuery = z.object({
  attempt: textParam('attempt', 'The attempt (default: the latest, following it into a retry)'),
  lastEventId: textParam('lastEventId', 'Resume after this seq (as the Last-Event-ID header)'),
  access_token: textParam('access_token', 'The API token, for clients that cannot send headers (EventSource)'),
});

/** The SSE frames of a log: each line as a `message` (id = seq), then `end` when the attempt is over and every line was sent. */
export const TASK_LOG_STREAM_FRAMES = {
  message: TaskLogLine,
  end: z.strictObject({ attempt: z.number().int(), lastSeq: z.number().int() }),
} as const;
