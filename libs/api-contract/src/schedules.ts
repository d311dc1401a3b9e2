import { z } from 'zod';
import { RunStatus, Timestamp } from './common';

export const Schedule = z
  .strictObject({
    cron: z.string(),
    timezone: z.string(),
    overlap: z.enum(['allow', 'forbid', 'replace', 'buffer_one']),
    paused: z.boolean(),
    nextFireAt: Timestamp.nullable(),
    lastFiredAt: Timestamp.nullable(),
    bufferedFireAt: Timestamp.nullable(),
  })
  .meta({
    id: 'Schedule',
    example: {
      cron: '0 2 * * *',
      timezone: 'UTC',
      overlap: 'forbid',
      paused: false,
      nextFireAt: '2026-02-01T02:00:00.000Z',
      lastFiredAt: '2026-01-31T02:00:00.000Z',
      bufferedFireAt: null,
    },
  });
export type Schedule = z.infer<typeof Schedule>;

/** POST /workflows/:name/backfill: the ticks in (from, to], each ISO 8601. */
export const BackfillBody = z
  .object({
    from: z.string({ error: 'from must be an ISO 8601 time such as 2026-01-31T00:00:00Z' }),
    to: z.string({ error: 'to must be an ISO 8601 time such as 2026-01-31T00:00:00Z' }),
  })
  .meta({ example: { from: '2026-01-01T00:00:00Z', to: '2026-01-08T00:00:00Z' } });
export type BackfillBody = z.infer<typeof BackfillBody>;

export const BackfillTick = z.strictObject({ tick: Timestamp, runId: z.string(), status: RunStatus, created: z.boolean() });
export const BackfillResult = z.strictObject({ items: z.array(BackfillTick), nextCursor: z.null() }).meta({ id: 'BackfillResult' });
export type BackfillResult = z.infer<typeof BackfillResult>;
