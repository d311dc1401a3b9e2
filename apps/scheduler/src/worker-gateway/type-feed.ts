import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { QueueTransport, taskQueueName, type TaskJob } from '@flowctl/queue';
import type { Job, Worker } from 'bullmq';

/** A job taken off a type's queue for an HTTP worker, held by BullMQ's lock under `lockToken`. */
export interface FetchedJob {
  job: Job;
  lockToken: string;
  data: TaskJob;
}

/** A long poll waiting for its first task. It may wait on several types' feeds; the first to deliver wins. */
export interface Waiter {
  /** The namespaces the poller's token covers (`all`: every one). */
  readonly namespaces: readonly string[] | 'all';
  readonly settled: boolean;
  deliver(fetched: FetchedJob): void;
}

export const mayTake = (namespaces: readonly string[] | 'all', data: TaskJob): boolean =>
  namespaces === 'all' || namespaces.includes(data.namespace);

/** A job no waiting poller may take (none waits, or none of its namespace) is held this long, then put back on its queue. */
const PARK_MS = 5_000;
/** Past this many held jobs the feed stops taking more until pollers come that may take them. */
const MAX_PARKED = 100;
/**
 * BullMQ's lock on a job taken here: the lease renews it as the worker heartbeats. As long as the
 * lock a lease needs under the default heartbeat timeout (twice 30 s), so leasing such a task costs
 * no extension, a Redis round trip on every hop of a chain; a job held here unleased is put back
 * within PARK_MS anyway.
 */
export const FETCH_LOCK_MS = 60_000;
const RETRY_AFTER_ERROR_MS = 1_000;

const isTaskJob = (data: unknown): data is TaskJob =>
  typeof data === 'object' &&
  data !== null &&
  typeof (data as TaskJob).taskRunId === 'string' &&
  typeof (data as TaskJob).runId === 'string';

/**
 * The scheduler as a BullMQ worker of one task type, on behalf of the HTTP
 * workers polling for it. While pollers wait, one loop blocks on the queue
 * (BullMQ's blocking fetch: woken by a new job, no spinning) and hands each
 * job to the longest-waiting poller that may take it. With nobody waiting it
 * fetches nothing, so an idle feed costs one idle connection.
 */
export class TypeFeed {
  private readonly logger = new Logger(TypeFeed.name);
  private readonly waiters: Waiter[] = [];
  private readonly parked: (FetchedJob & { parkedAt: number })[] = [];
  private readonly worker: Worker;
  private fetching = false;
  private sweep?: NodeJS.Timeout;
  private closed = false;

  constructor(
    readonly type: string,
    transport: QueueTransport,
    gatewayName: string,
  ) {
    this.worker = transport.worker(taskQueueName(type), null as never, {
      autorun: false,
      // Stored on each job as processedBy: the jobs HTTP workers hold show where they went.
      name: gatewayName,
      lockDuration: FETCH_LOCK_MS,
      drainDelay: 5,
    });
    this.worker.on('error', (error: Error) => this.logger.warn(`queue ${type}: ${error.message}`));
  }

  /** Queues the poller behind the others, or hands it a held job at once. */
  wait(waiter: Waiter): void {
    const held = this.parked.findIndex((fetched) => mayTake(waiter.namespaces, fetched.data));
    if (held >= 0) {
      const [fetched] = this.parked.splice(held, 1);
      waiter.deliver(fetched!);
      return;
    }
    this.waiters.push(waiter);
    void this.pump();
  }

  leave(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index >= 0) this.waiters.splice(index, 1);
  }

  /** Up to `count` jobs available right now (held ones first), without waiting: the rest of a batch. */
  async takeNow(namespaces: readonly string[] | 'all', count: number): Promise<FetchedJob[]> {
    const taken: FetchedJob[] = [];
    for (let i = 0; i < this.parked.length && taken.length < count;) {
      if (mayTake(namespaces, this.parked[i]!.data)) taken.push(this.parked.splice(i, 1)[0]!);
      else i++;
    }
    // The rest in rounds of parallel fetches (a batch of 10 one after another cost 10 round trips in a row),
    // growing from one: a poll of an empty queue, every hop of a chain, costs one fetch rather than `count`.
    for (let round = 1; taken.length < count && !this.closed && this.parked.length < MAX_PARKED; round *= 4) {
      const wanted = Math.min(round, count - taken.length);
      const fetched = await Promise.all(Array.from({ length: wanted }, () => this.fetch(false)));
      for (const item of fetched) {
        if (!item) continue;
        if (mayTake(namespaces, item.data)) taken.push(item);
        else this.hand(item);
      }
      if (fetched.some((item) => !item)) break;
    }
    return taken;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.sweep);
    await Promise.allSettled(this.parked.splice(0).map((fetched) => fetched.job.moveToWait(fetched.lockToken)));
    await this.worker.close(true).catch(() => undefined);
  }

  private get hasWaiters(): boolean {
    while (this.waiters.length > 0 && this.waiters[0]!.settled) this.waiters.shift();
    return this.waiters.length > 0;
  }

  private async pump(): Promise<void> {
    if (this.fetching) return;
    this.fetching = true;
    try {
      while (!this.closed && this.hasWaiters && this.parked.length < MAX_PARKED) {
        const fetched = await this.fetch(true);
        if (fetched) this.hand(fetched);
      }
    } finally {
      this.fetching = false;
    }
  }

  private async fetch(block: boolean): Promise<FetchedJob | undefined> {
    const lockToken = randomUUID();
    let job: Job | undefined;
    try {
      job = await this.worker.getNextJob(lockToken, { block });
    } catch (error) {
      this.logger.warn(`could not take a ${this.type} job: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_ERROR_MS));
      return undefined;
    }
    if (!job) return undefined;
    if (!isTaskJob(job.data)) {
      // Not a job the dispatcher wrote: nobody can run it, so it is failed rather than handed out again and again.
      await job.moveToFailed(new Error('not a flowctl task job'), lockToken, false).catch(() => undefined);
      return undefined;
    }
    return { job, lockToken, data: job.data };
  }

  private hand(fetched: FetchedJob): void {
    const index = this.waiters.findIndex((waiter) => !waiter.settled && mayTake(waiter.namespaces, fetched.data));
    if (index >= 0) {
      const [waiter] = this.waiters.splice(index, 1);
      waiter!.deliver(fetched);
      return;
    }
    this.parked.push({ ...fetched, parkedAt: Date.now() });
    this.sweep ??= setTimeout(() => this.putBackStale(), PARK_MS);
  }

  /** Held jobs nobody came for go back to their queue, for native workers or later polls. */
  private putBackStale(): void {
    this.sweep = undefined;
    const cutoff = Date.now() - PARK_MS;
    const stale = this.parked.filter((fetched) => fetched.parkedAt <= cutoff);
    for (const fetched of stale) {
      this.parked.splice(this.parked.indexOf(fetched), 1);
      void fetched.job
        .moveToWait(fetched.lockToken)
        .catch((error: Error) => this.logger.warn(`could not put back job ${fetched.job.id}: ${error.message}`));
    }
    if (this.parked.length > 0) this.sweep = setTimeout(() => this.putBackStale(), PARK_MS);
    void this.pump();
  }
}
