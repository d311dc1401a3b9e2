import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { LeasedTask } from '@flowctl/api-contract';
import { QueueTransport, type TaskJob } from '@flowctl/queue';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';
import { AttemptReporter } from './attempt-reporter';
import { inputWithSecrets, openSecrets } from './attempt-secrets';
import { CancelRequests } from './cancel-requests';
import { LeaseKey } from './lease-key';
import { signLease, type Lease } from './lease-token';
import { lockDurationFor } from './lease-lock';
import { FETCH_LOCK_MS, TypeFeed, type FetchedJob, type Waiter } from './type-feed';
import { WorkerPresence } from './worker-presence';
import type { PollRequest } from './worker-requests';

/** When a task declares no heartbeatTimeout, an HTTP worker must still heartbeat within this. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 30_000;

/** One task as a poll answers it. */
/** What a poll hands out: the contract's shape, the one the SDKs read. */
export type { LeasedTask };

/**
 * Answers polls: takes jobs off the polled types' queues (at once when some
 * wait, else through a long poll on each type's feed) and leases each to the
 * poller. A lease reports the attempt started in the worker's name (unless it ends within 100 ms),
 * so PostgreSQL knows who holds it and the liveness duty can fail it should
 * that worker go silent.
 */
@Injectable()
export class TaskLeaser implements OnModuleDestroy {
  private readonly logger = new Logger(TaskLeaser.name);
  private readonly feeds = new Map<string, TypeFeed>();
  /** The long polls waiting here, ended (with no task) when the scheduler stops, so they do not hold up its shutdown. */
  private readonly waiting = new Set<() => void>();
  private readonly gatewayName: string;

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly transport: QueueTransport,
    private readonly leaseKey: LeaseKey,
    private readonly presence: WorkerPresence,
    private readonly reporter: AttemptReporter,
    private readonly cancels: CancelRequests,
  ) {
    this.gatewayName = `http-gateway@${config.schedulerId}`;
  }

  async poll(request: PollRequest, namespaces: readonly string[] | 'all', gone: AbortSignal): Promise<LeasedTask[]> {
    await this.presence.polled({
      id: request.workerId,
      host: request.host ?? 'unknown',
      types: request.types,
      concurrency: request.concurrency ?? request.max,
      version: request.version ?? 'http',
    });
    const key = await this.leaseKey.get();
    // Heard from the start: a cancel broadcast while an attempt is leased must not be missed by its reports.
    this.cancels.subscribe();
    let fetched = await this.takeNow(request.types, namespaces, request.max);
    if (fetched.length === 0 && request.waitMs > 0 && !gone.aborted) {
      const first = await this.waitForFirst(request, namespaces, gone);
      if (first) fetched = [first, ...(request.max > 1 ? await this.takeNow(request.types, namespaces, request.max - 1) : [])];
    }
    if (gone.aborted) {
      // The poller hung up: the jobs go back to their queues rather than to nobody.
      await Promise.allSettled(fetched.map((item) => item.job.moveToWait(item.lockToken)));
      return [];
    }
    const leased = await Promise.all(fetched.map((item) => this.lease(item, request.workerId, key)));
    const tasks = leased.filter((task): task is LeasedTask => task !== undefined);
    this.presence.leased(request.workerId, tasks.length);
    return tasks;
  }

  async onModuleDestroy(): Promise<void> {
    for (const end of [...this.waiting]) end();
    await Promise.allSettled([...this.feeds.values()].map((feed) => feed.close()));
    this.feeds.clear();
  }

  private feed(type: string): TypeFeed {
    let feed = this.feeds.get(type);
    if (!feed) {
      feed = new TypeFeed(type, this.transport, this.gatewayName);
      this.feeds.set(type, feed);
    }
    return feed;
  }

  private async takeNow(types: readonly string[], namespaces: readonly string[] | 'all', max: number): Promise<FetchedJob[]> {
    const taken: FetchedJob[] = [];
    for (const type of types) {
      if (taken.length >= max) break;
      taken.push(...(await this.feed(type).takeNow(namespaces, max - taken.length)));
    }
    return taken;
  }

  /** Waits on every polled type's feed at once; the first job any of them has for this poller ends the wait. */
  private waitForFirst(request: PollRequest, namespaces: readonly string[] | 'all', gone: AbortSignal): Promise<FetchedJob | undefined> {
    return new Promise((resolve) => {
      let settled = false;
      const feeds = request.types.map((type) => this.feed(type));
      const finish = (fetched?: FetchedJob) => {
        if (settled) return;
        settled = true;
        this.waiting.delete(onGone);
        clearTimeout(timer);
        gone.removeEventListener('abort', onGone);
        for (const feed of feeds) feed.leave(waiter);
        this.presence.waitEnded(request.workerId);
        resolve(fetched);
      };
      const onGone = () => finish(undefined);
      const waiter: Waiter = {
        namespaces,
        get settled() {
          return settled;
        },
        deliver: (fetched) => finish(fetched),
      };
      const timer = setTimeout(() => finish(undefined), request.waitMs);
      gone.addEventListener('abort', onGone, { once: true });
      this.waiting.add(onGone);
      this.presence.waitStarted(request.workerId);
      for (const feed of feeds) if (!settled) feed.wait(waiter);
    });
  }

  private async lease(fetched: FetchedJob, workerId: string, key: Buffer): Promise<LeasedTask | undefined> {
    const { data, job, lockToken } = fetched;
    const startedAt = Date.now();
    let opened: Map<string, string>;
    try {
      opened = openSecrets(data, this.config.secretKeyring);
    } catch (error) {
      await this.reporter.failUnleasable(fetched, workerId, startedAt, error as Error);
      return undefined;
    }
    const heartbeatTimeoutMs = data.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
    const lease: Lease = {
      jobId: job.id!,
      type: data.type,
      lockToken,
      taskRunId: data.taskRunId,
      runId: data.runId,
      attempt: data.attempt,
      namespace: data.namespace,
      workerId,
      heartbeatTimeoutMs,
      deadline: data.timeoutMs ? startedAt + data.timeoutMs : null,
      startedAt,
      hasSecrets: opened.size > 0,
    };
    const lockMs = lockDurationFor(heartbeatTimeoutMs);
    if (lockMs > FETCH_LOCK_MS) {
      try {
        await job.extendLock(lockToken, lockMs);
      } catch (error) {
        this.logger.warn(`could not lease job ${job.id}, putting it back: ${(error as Error).message}`);
        await job.moveToWait(lockToken).catch(() => undefined);
        return undefined;
      }
    }
    this.reporter.startSoon(lease, data.traceparent);
    this.reporter.remember(lease, opened, job);
    return taskOf(lease, data, opened, signLease(lease, key));
  }
}

function taskOf(lease: Lease, data: TaskJob, opened: ReadonlyMap<string, string>, leaseId: string): LeasedTask {
  return {
    leaseId,
    runId: data.runId,
    workflow: data.workflow,
    namespace: data.namespace,
    task: data.task,
    type: data.type,
    attempt: data.attempt,
    idempotencyKey: data.idempotencyKey,
    input: inputWithSecrets(data, opened),
    lastHeartbeatDetails: data.lastHeartbeatDetails ?? null,
    heartbeatTimeoutMs: lease.heartbeatTimeoutMs,
    deadline: lease.deadline === null ? null : new Date(lease.deadline).toISOString(),
    ...(data.traceparent ? { traceparent: data.traceparent } : {}),
    ...(opened.size > 0 ? { secrets: Object.fromEntries(opened) } : {}),
  };
}
