import { z } from 'zod';
import { namespaceParam, TaskStatus, textParam } from './common';
import { Run, RunDetail, RunEvent, Task } from './runs';

/**
 * The Server-Sent Events of GET /runs/:id/stream and GET /stream. Each event's `data` is one JSON
 * frame of the schema named after its `event:` line. EventSource cannot send headers, so these two
 * routes (only they) also take the token as `?access_token=`.
 */

/**
 * A forEach task whose instances the run stream sends as counts, not rows (too many to send each):
 * clients page them through GET /runs/:id/tasks/:name/instances.
 */
export const FanOutSummary = z
  .strictObject({ task: z.string(), total: z.number().int(), counts: z.partialRecord(TaskStatus, z.number().int()) })
  .meta({ id: 'FanOutSummary' });
export type FanOutSummary = z.infer<typeof FanOutSummary>;

/** `history`: events after Last-Event-ID (or the latest of the whole history). */
export const RunStreamHistory = z.strictObject({
  events: z.array(RunEvent),
  /** The server left older events out: drop the history held, it would have a gap. */
  reset: z.literal(true).optional(),
  /** Events before this id are on the server only (null: this is the whole history); absent: unchanged. */
  earlierBefore: z.string().nullable().optional(),
});
export type RunStreamHistory = z.infer<typeof RunStreamHistory>;

/** `snapshot`: the run with its own tasks and the instances of its small fan-outs. */
export const RunStreamSnapshot = z.strictObject({
  run: RunDetail,
  lastEventId: z.string(),
  /** The fan-outs sent as counts. */
  fanOuts: z.array(FanOutSummary).optional(),
});
export type RunStreamSnapshot = z.infer<typeof RunStreamSnapshot>;

/** `events`: what changed since the last frame. The run's row leaves out its inputs, which never change. */
export const RunStreamDelta = z.strictObject({
  run: Run.omit({ inputs: true }),
  events: z.array(RunEvent),
  tasks: z.array(Task),
  /** New counts of the counted fan-outs these events changed. */
  fanOuts: z.array(FanOutSummary).optional(),
});
export type RunStreamDelta = z.infer<typeof RunStreamDelta>;

/** GET /stream: `ready` once subscribed, `runs` with changed runs, `resync` when changes may have been missed. */
export const RunsStreamBatch = z.strictObject({ items: z.array(Run) });
export type RunsStreamBatch = z.infer<typeof RunsStreamBatch>;
export const EmptyFrame = z.strictObject({});

/** Frames by SSE event name. */
export const RUN_STREAM_FRAMES = { history: RunStreamHistory, snapshot: RunStreamSnapshot, events: RunStreamDelta } as const;
export const RUNS_STREAM_FRAMES = { ready: EmptyFrame, runs: RunsStreamBatch, resync: EmptyFrame } as const;

export const RunStreamQuery = z.object({
  lastEventId: textParam('lastEventId', 'Resume after this event id (as the Last-Event-ID header)'),
  access_token: textParam('access_token', 'The API token, for clients that cannot send headers (EventSource)'),
});
export const RunsStreamQuery = z.object({
  workflow: textParam('workflow', 'Only runs of this workflow'),
  namespace: namespaceParam,
  access_token: textParam('access_token', 'The API token, for clients that cannot send headers (EventSource)'),
});
