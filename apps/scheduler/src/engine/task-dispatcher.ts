import { Injectable, Logger } from '@nestjs/common';
import { secretNamesOf } from '@flowctl/core';
import { SecretRepository, FanOutInstanceRepository, type SecretRow } from '@flowctl/persistence';
import { SpanKind, type Span } from '@opentelemetry/api';
import { contextOf, getLogger, isTracingEnabled, traceparentOf, tracer } from '@flowctl/observability';
import { CONTROL_QUEUE, QueueTransport, taskJobId, taskQueueName, type SealedSecret, type TaskJob } from '@flowctl/queue';
import { DataSource } from 'typeorm';
import { dispatchOfRow, type DispatchItem, type InstancesDispatch } from './unit-of-work';

/** Finished jobs are kept a while so a re-enqueue of the same attempt stays a no-op; results live in PostgreSQL. */
const KEEP_FINISHED_JOBS = { age: 3600, count: 20_000 };
/**
 * BullMQ's PostgreSQL backend trims by count with a sort of every finished job
 * of the queue on each completion (O(n) per task, O(n^2) per fan-out); its age
 * trim is an index range scan. Disk, not memory, holds the hour's jobs there.
 */
const KEEP_FINISHED_JOBS_ON_POSTGRES = { age: 3600 };
/** Jobs per addBulk. */
const DISPATCH_SLICE = 1_000;

/**
 * Sends tasks to their type's queue after the transaction that queued them has
 * committed. If this fails (transport down, process killed), the tasks are
 * still `queued` in PostgreSQL and the leader's reconciler sends them again.
 */
@Injectable()
export class TaskDispatcher {
  private readonly logger = new Logger(TaskDispatcher.name);
  private readonly taskLog = getLogger(TaskDispatcher.name);

  /** Fan-outs whose instances are being sent, one after another, behind the transactions that created them. */
  private sendingInstances: Promise<void> = Promise.resolve();

  constructor(
    private readonly transport: QueueTransport,
    private readonly dataSource: DataSource,
    private readonly secrets: SecretRepository,
    private readonly instances: FanOutInstanceRepository,
  ) {}

  /** What a committed unit of work put on its way: its tasks now, its fan-outs' instances in the background. */
  async dispatchCommitted(uow: { dispatch: readonly DispatchItem[]; instancesDispatch: readonly InstancesDispatch[] }): Promise<void> {
    await this.dispatch(uow.dispatch);
    for (const fanOut of uow.instancesDispatch) this.sendInstances(fanOut);
  }

  /**
   * Sends a fan-out's instances a range at a time, read from PostgreSQL, without holding up the caller:
   * the scheduler goes on applying the results of the first instances while the last are sent, and
   * never holds 100,000 jobs in memory. If this stops (process killed, transport down), the instances
   * are still queued in PostgreSQL and the leader's reconciler sends them.
   */
  sendInstances(fanOut: InstancesDispatch): void {
    this.sendingInstances = this.sendingInstances.then(async () => {
      try {
        for (let from = 0; from < fanOut.instances; from += DISPATCH_SLICE) {
          const rows = await this.instances.queuedInstances(this.dataSource, fanOut.parentTaskRunId, from, from + DISPATCH_SLICE);
          await this.dispatch(rows.map((row) => ({ ...dispatchOfRow(fanOut.run, row, row.attempt), traceparent: fanOut.traceparent })));
        }
      } catch (error) {
        this.logger.error(
          `could not send the instances of fan-out ${fanOut.parentTaskRunId}; the reconciler will: ${(error as Error).message}`,
        );
      }
    });
  }

  async dispatch(items: readonly DispatchItem[]): Promise<void> {
    if (items.length === 0) return;
    let sealed: ReadonlyMap<string, SecretRow>;
    try {
      sealed = await this.sealedSecretsFor(items);
    } catch (error) {
      this.logger.error(`could not read the secrets of ${items.length} task(s); the reconciler will retry: ${(error as Error).message}`);
      return;
    }
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
          // In slices: a fan-out of 100,000 must not build one 100,000-job pipeline (and its memory) at once.
          for (let start = 0; start < list.length; start += DISPATCH_SLICE) {
            await this.add(type, list.slice(start, start + DISPATCH_SLICE), sealed, spans?.slice(start, start + DISPATCH_SLICE));
          }
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

  private async add(type: string, list: readonly DispatchItem[], sealed: ReadonlyMap<string, SecretRow>, spans?: Span[]): Promise<void> {
    const keep = this.transport.kind === 'postgres' ? KEEP_FINISHED_JOBS_ON_POSTGRES : KEEP_FINISHED_JOBS;
    await this.transport.queue(taskQueueName(type)).addBulk(
      list.map((item, index) => ({
        name: item.task,
        data: toTaskJob(item, sealed, spans?.[index]),
        opts: {
          jobId: taskJobId(item.taskRunId, item.attempt),
          priority: item.priority,
          attempts: 1,
          removeOnComplete: keep,
          removeOnFail: keep,
        },
      })),
    );
  }

  /**
   * Secrets are read as they are sent, not when the task was queued: a retry
   * gets the current value, and the ciphertext (never the value) rides in the
   * job, so Redis holds nothing the key does not guard.
   */
  private async sealedSecretsFor(items: readonly DispatchItem[]): Promise<ReadonlyMap<string, SecretRow>> {
    const wanted = new Map<string, { namespace: string; name: string }>();
    for (const item of items) {
      if (!item.secretSlots?.length) continue;
      for (const name of secretNamesOf(item.secretSlots))
        wanted.set(secretKey(item.run.namespace, name), { namespace: item.run.namespace, name });
    }
    if (wanted.size === 0) return new Map();
    const rows = await this.secrets.findSealed(this.dataSource, [...wanted.values()]);
    return new Map(rows.map((row) => [secretKey(row.namespace, row.name), row]));
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

const secretKey = (namespace: string, name: string) => `${namespace}\u0000${name}`;

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

export function toTaskJob(item: DispatchItem, sealed: ReadonlyMap<string, SecretRow> = new Map(), span?: Span): TaskJob {
  const traceparent = span ? traceparentOf(span) : undefined;
  const job: TaskJob = {
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
  if (!item.secretSlots?.length) return job;
  const secrets: Record<string, SealedSecret | null> = {};
  for (const name of secretNamesOf(item.secretSlots)) {
    // A missing secret travels as null: the worker fails the attempt, naming it, through the usual failure path.
    const row = sealed.get(secretKey(item.run.namespace, name));
    secrets[name] = row ? { keyId: row.keyId, nonce: row.nonce.toString('base64'), ciphertext: row.ciphertext.toString('base64') } : null;
  }
  return { ...job, secretSlots: item.secretSlots, secrets };
}
