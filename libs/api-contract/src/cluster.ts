import { z } from 'zod';
import { pageOf, pageQuery, Timestamp } from './common';

export const WORKER_STATUSES = ['active', 'draining', 'stopped', 'lost'] as const;
export const WorkerStatus = z.enum(WORKER_STATUSES);
export type WorkerStatus = z.infer<typeof WorkerStatus>;

export const Worker = z
  .strictObject({
    id: z.string(),
    host: z.string(),
    types: z.array(z.string()),
    concurrency: z.number().int(),
    running: z.number().int(),
    version: z.string(),
    status: WorkerStatus,
    startedAt: Timestamp,
    lastHeartbeatAt: Timestamp,
  })
  .meta({ id: 'Worker' });
export type Worker = z.infer<typeof Worker>;

export const WorkerPage = pageOf(Worker);
export const ListWorkersQuery = z.object(pageQuery(100, 500));

export const Cluster = z
  .strictObject({
    leader: z.string().nullable(),
    schedulers: z.array(
      z.strictObject({ id: z.string(), host: z.string(), leader: z.boolean(), startedAt: Timestamp, lastSeenAt: Timestamp }),
    ),
  })
  .meta({ id: 'Cluster' });
export type Cluster = z.infer<typeof Cluster>;

export const QueueDepth = z
  .strictObject({
    type: z.string(),
    /** Ready to run: waiting plus prioritized. */
    waiting: z.number().int(),
    active: z.number().int(),
    delayed: z.number().int(),
    failed: z.number().int(),
    /** Workers serving this type that are neither stopped nor lost. */
    workers: z.number().int(),
    /** Set when the queue could not be read (transport down); the counts are then 0. */
    error: z.string().optional(),
  })
  .meta({ id: 'QueueDepth' });
export type QueueDepth = z.infer<typeof QueueDepth>;

export const QueuePage = z.strictObject({ items: z.array(QueueDepth), nextCursor: z.null() });
