import { FETCH_LOCK_MS } from './type-feed';

/**
 * How long BullMQ's lock on a leased job lasts from each heartbeat: twice the
 * heartbeat timeout (a worker heartbeats every third of it), so the lock never
 * lapses under a live worker and BullMQ's stalled check never hands the same
 * attempt to another. A dead worker's jobs are removed, lock and all, when the
 * liveness duty fails its attempts.
 */
export const lockDurationFor = (heartbeatTimeoutMs: number): number => Math.max(FETCH_LOCK_MS, 2 * heartbeatTimeoutMs);
