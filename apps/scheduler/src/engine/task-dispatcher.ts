import { Injectable, Logger } from '@nestjs/common';
import { CONTROL_QUEUE, QueueTransport, taskJobId, taskQueueName, type TaskJob } from '@flowctl/queue';
import type { DispatchItem } from './unit-of-work';

/** Finished jobs are kept a while so a re-enqueue of the same attempt stays a no-op; results live in PostgreSQL. */
const KEEP_FINISHED_JOBS = { age: 3600, count: 20_000 };

/**
 * Sends tasks to their type's queue after the transaction that queued them has
 * committed. If this fails (transport down, process killed), the tasks are
 * still `queued` in PostgreSQL and the leader's reconciler sends them again.
 */
@Injectable()
export class TaskDispatcher {
  private readonly logger = new Logger(TaskDispatcher.name);

  constructor(private readonly transport: QueueTransport) {}

  async dispatch(items: readonly DispatchItem[]): Promise<void> {
    if (items.length === 0) return;
    const byType = new Map<string, DispatchItem[]>();
    for (const item of items) {
      const list = byType.get(item.type) ?? [];
      list.push(item);
      byType.set(item.type, list);
    }
    await Promise.all(
      [...byType].map(async ([type, list]) => {
        try {
          await this.transport.queue(taskQueueName(type)).addBulk(
            list.map((item) => ({
              name: item.task,
              data: toTaskJob(item),
              opts: {
                jobId: taskJobId(item.taskRunId, item.attempt),
                priority: item.priority,
                attempts: 1,
                removeOnComplete: KEEP_FINISHED_JOBS,
                removeOnFail: KEEP_FINISHED_JOBS,
              },
            })),
          );
        } catch (error) {
          this.logger.error(`could not enqueue ${list.length} ${type} task(s); the reconciler will retry: ${(error as Error).message}`);
        }
      }),
    );
  }

  /**
   * Tells every worker to fire the AbortSignal of these jobs, and drops any still
   * waiting. `holderLost`: the attempts' worker is gone, so its jobs are removed
   * even though its lock on them has not yet expired.
   */
  async abort(jobIds: readonly string[], types: ReadonlyMap<string, string>, options: { holderLost?: boolean } = {}): Promise<void> {
    if (jobIds.length === 0) return;
    try {
      await this.transport.eventsProducer(CONTROL_QUEUE).publishEvent({ eventName: 'cancel', jobIds: jobIds.join(',') });
      await Promise.all(
        jobIds.map((jobId) => {
          const type = types.get(jobId);
          return type
            ? this.transport.removeJob(taskQueueName(type), jobId, { evenIfLocked: options.holderLost }).catch((error: Error) => {
                this.logger.warn(`could not remove job ${jobId}: ${error.message}`);
                return false;
              })
            : false;
        }),
      );
    } catch (error) {
      this.logger.warn(`could not broadcast cancellation: ${(error as Error).message}`);
    }
  }
}

export function toTaskJob(item: DispatchItem): TaskJob {
  return {
    taskRunId: item.taskRunId,
    runId: item.run.id,
    namespace: item.run.namespace,
    workflow: item.run.workflowName,
    task: item.task,
    type: item.type,
    attempt: item.attempt,
    input: item.input,
    idempotencyKey: `${item.run.id}:${item.task}`,
    timeoutMs: item.timeoutMs,
    heartbeatTimeoutMs: item.heartbeatTimeoutMs,
    lastHeartbeatDetails: item.lastHeartbeatDetails,
  };
}
