import { z } from 'zod';
import { enumParam, JsonValue, namespaceParam, pageOf, pageQuery, textParam, Timestamp } from './common';

/** The same pattern as a trigger's `event:` name (libs/core EVENT_NAME_PATTERN). */
const EVENT_NAME = /^[A-Za-z0-9]([A-Za-z0-9._:/-]{0,126}[A-Za-z0-9])?$/;
/** Event ids become runs' idempotency keys (`event:ID`, at most 200 characters). */
export const MAX_EVENT_ID_LENGTH = 128;
/** The JSON of an event's data (or a hook's body) at most: an event says what happened, it does not carry files. */
export const MAX_EVENT_BYTES = 256 * 1024;

export const EVENT_OUTCOMES = ['matched', 'unmatched', 'rejected'] as const;
export const EVENT_SOURCES = ['api', 'hook', 'workflowRun'] as const;

export const EmitEventBody = z
  .strictObject({
    name: z.string({ error: 'name must be a string' }).regex(EVENT_NAME, {
      error: 'name must be letters, digits, ".", "_", "-", ":" and "/", starting and ending with a letter or digit, at most 128 characters',
    }),
    id: z
      .string({ error: 'id must be a string' })
      .min(1, { error: 'id must not be empty' })
      .max(MAX_EVENT_ID_LENGTH, { error: `id must be at most ${MAX_EVENT_ID_LENGTH} characters` })
      .optional(),
    data: JsonValue.optional(),
  })
  .meta({ example: { name: 'order.created', id: 'order-1042', data: { id: 1042, total: 250 } } });
export type EmitEventBody = z.infer<typeof EmitEventBody>;

export const EventRun = z.strictObject({ workflow: z.string(), runId: z.string() });

export const Event = z
  .strictObject({
    namespace: z.string(),
    id: z.string(),
    name: z.string(),
    source: z.enum(EVENT_SOURCES),
    data: JsonValue,
    receivedAt: Timestamp,
    outcome: z.enum(EVENT_OUTCOMES),
    reason: z.string().nullable(),
    runs: z.array(EventRun),
  })
  .meta({
    id: 'Event',
    example: {
      namespace: 'default',
      id: 'order-1042',
      name: 'order.created',
      source: 'api',
      data: { id: 1042, total: 250 },
      receivedAt: '2026-01-31T12:00:00.000Z',
      outcome: 'matched',
      reason: null,
      runs: [{ workflow: 'fulfil-order', runId: '0194b7a4-5c2e-7d7a-9a57-1b2c3d4e5f60' }],
    },
  });
export type Event = z.infer<typeof Event>;

/** What GET /runs/:id shows of the event that started the run. */
export const TriggeringEvent = z.strictObject({ id: z.string(), name: z.string(), source: z.enum(EVENT_SOURCES), receivedAt: Timestamp });
export type TriggeringEvent = z.infer<typeof TriggeringEvent>;

export const EventPage = pageOf(Event);
export const ListEventsQuery = z.object({
  namespace: namespaceParam,
  name: textParam('name', 'Only events of this name'),
  outcome: enumParam('outcome', EVENT_OUTCOMES),
  ...pageQuery(),
});
export const EventIdParams = z.object({ id: z.string().max(MAX_EVENT_ID_LENGTH) });
export const EventNamespaceQuery = z.object({ namespace: namespaceParam });
export const HookNameParams = z.object({ name: z.string() });
/** A hook's body is whatever the calling service sends (JSON); it becomes the event's data. */
export const HookBody = JsonValue;
