import { z } from 'zod';
import { pageOf, pageQuery, TaskError, Timestamp } from './common';

export const NOTIFY_EVENTS = ['succeeded', 'failed', 'cancelled', 'timed_out', 'dead_letter'] as const;
export const NOTIFY_FORMATS = ['json', 'slack'] as const;
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export const DeliveryStatus = z.enum(DELIVERY_STATUSES);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

export const NotificationAttempt = z
  .strictObject({
    attempt: z.number().int(),
    startedAt: Timestamp,
    durationMs: z.number().int(),
    /** Null when no answer came (refused connection, timeout, a destination the policy refuses). */
    statusCode: z.number().int().nullable(),
    response: z.string().nullable().describe('the start of the answer body (512 characters at most)'),
    error: z.string().nullable(),
  })
  .meta({ id: 'NotificationAttempt' });
export type NotificationAttempt = z.infer<typeof NotificationAttempt>;

export const NotificationDelivery = z
  .strictObject({
    id: z.string(),
    event: z.enum(NOTIFY_EVENTS),
    /** The webhook's origin (scheme, host, port): its path may hold a token (a Slack webhook's does). */
    destination: z.string(),
    format: z.enum(NOTIFY_FORMATS),
    signed: z.boolean(),
    status: DeliveryStatus,
    nextAttemptAt: Timestamp.nullable(),
    createdAt: Timestamp,
    finishedAt: Timestamp.nullable(),
    lastError: z.string().nullable(),
    deadTask: z.strictObject({ task: z.string(), type: z.string(), attempt: z.number().int(), error: TaskError.nullable() }).nullable(),
    attempts: z.array(NotificationAttempt),
  })
  .meta({
    id: 'NotificationDelivery',
    example: {
      id: '12',
      event: 'failed',
      destination: 'https://hooks.example.com',
      format: 'json',
      signed: true,
      status: 'delivered',
      nextAttemptAt: null,
      createdAt: '2026-01-31T02:00:05.000Z',
      finishedAt: '2026-01-31T02:00:16.100Z',
      lastError: null,
      deadTask: null,
      attempts: [
        {
          attempt: 1,
          startedAt: '2026-01-31T02:00:05.010Z',
          durationMs: 3,
          statusCode: null,
          response: null,
          error: 'ECONNREFUSED: connect ECONNREFUSED 203.0.113.7:443',
        },
        { attempt: 2, startedAt: '2026-01-31T02:00:16.020Z', durationMs: 80, statusCode: 200, response: 'ok', error: null },
      ],
    },
  });
export type NotificationDelivery = z.infer<typeof NotificationDelivery>;

export const NotificationPage = pageOf(NotificationDelivery).meta({ id: 'NotificationPage' });
export type NotificationPage = z.infer<typeof NotificationPage>;
export const RunNotificationsQuery = z.object(pageQuery(100, 500));
