/**
 * One queue per task type, named exactly as the type: a worker serves a type by
 * reading its queue, and the queue depth of a type is what autoscaling reads. The engine's own queues start with an underscore, which no task
 * type may, so they can never collide.
 */
export const CONTROL_QUEUE = '_control';

export const taskQueueName = (type: string): string => type;

/** Deterministic per attempt: enqueueing the same attempt twice is a no-op in BullMQ. */
export const taskJobId = (taskRunId: string, attempt: number): string => `t${taskRunId}-${attempt}`;
