import { Injectable, Logger } from '@nestjs/common';
import { SpanKind, type Span } from '@opentelemetry/api';
import { contextOf, getLogger, isTracingEnabled, traceparentOf, tracer } from '@flowctl/observability';
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
  private readonly taskLog = getLogger(TaskDispatcher.name);

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
        const spans = isTracingEnabled() ? list.map((item) => dispatchSpan(item)) : undefined;
        try {
          await this.transport.queue(taskQueueName(type)).addBulk(
            list.map((item, index) => ({
              name: item.task,
              data: toTaskJob(item, spans?.[index]),
              opts: {
                jobId: taskJobId(item.taskRunId, item.attempt),
                priority: item.priority,
                attempts: 1,
                removeOnComplete: KEEP_FINISHED_JOBS,
                removeOnFail: KEEP_FINISHED_JOBS,
              },
            })),
          );
          if (this.taskLog.isLevelEnabled('debug'))
            for (const item of list)
              this.taskLog.debug({ runId: item.run.id, task: item.task, attempt: item.attempt, type: item.type }, 'task dispatched');
        } catch (error) {
          this.logger.error(`could not enqueue ${list.length} ${type} task(s); the reconciler will retry: ${(error as Error).message}`);
        } finally {
          for (const span of spans ?? []) span.end();
        }
      }),
    );
  }

  /** Tells every worker to fire the AbortSignal of these jobs, and drops any still waiting. */
  async abort(jobIds: readonly string[], types: ReadonlyMap<string, string>): Promise<void> {
    if (jobIds.length === 0) return;
    try {
      await this.transport.eventsProducer(CONTROL_QUEUE).publishEvent({ eventName: 'cancel', jobIds: jobIds.join(',') });
      await Promise.all(
        jobIds.map((jobId) => {
          const type = types.get(jobId);
          return type
            ? this.transport
                .queue(taskQueueName(type))
                .remove(jobId)
                .catch(() => 0)
            : 0;
        }),
      );
    } catch (error) {
      this.logger.warn(`could not broadcast cancellation: ${(error as Error).message}`);
    }
  }
}

function dispatchSpan(item: DispatchItem): Span {
  return tracer().startSpan(
    `dispatch ${item.task}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'flowctl.run.id': item.run.id,
        'flowctl.workflow': item.run.workflowName,
        'flowctl.task.name': item.task,
        'flowctl.task.type': item.type,
        'flowctl.task.attempt': item.attempt,
        'flowctl.task_run.id': item.taskRunId,
      },
    },
    contextOf(item.traceparent),
  );
}

export function toTaskJob(item: DispatchItem, span?: Span): TaskJob {
  const traceparent = span ? traceparentOf(span) : undefined;
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
    ...(traceparent ? { traceparent } : {}),
  };
}
