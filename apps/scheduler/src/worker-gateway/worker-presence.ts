import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ClusterRepository } from '@flowctl/persistence';
import { QueueTransport, type WorkerInfo } from '@flowctl/queue';
import { DataSource } from 'typeorm';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';

/** What a poll tells of its worker, kept for its registrations. */
export type WorkerProfile = Omit<WorkerInfo, 'status' | 'running'>;

const MAX_REGISTRATION_INTERVAL_MS = 5_000;
const MAX_MARK_INTERVAL_MS = 1_000;
/** Profiles of workers not heard from in this long are forgotten (bounded memory with churning worker ids). */
const FORGET_AFTER_MS = 10 * 60_000;

interface Known {
  profile: WorkerProfile;
  registeredAt: number;
  markedAt: number;
  heardAt: number;
  /** Long polls of this worker waiting on this scheduler now. */
  waiting: number;
  /** Attempts this scheduler leased to it and has not seen end (shown as the worker's `running`). */
  running: number;
}

/**
 * Makes an HTTP worker look like a native one to the rest of the engine: it
 * appears in the workers registry (a `worker` report on the results channel,
 * at most every few seconds per worker), and each call marks it alive in Redis
 * (transport.markAlive), so the liveness duty declares it lost, and fails its
 * attempts as WorkerLost, only once it goes silent. A poll that waits long
 * keeps its worker registered: one timer for all waiting polls, not one each.
 */
@Injectable()
export class WorkerPresence implements OnModuleDestroy {
  private readonly logger = new Logger(WorkerPresence.name);
  private readonly known = new Map<string, Known>();
  private readonly registrationIntervalMs: number;
  private readonly markIntervalMs: number;
  private refresh?: NodeJS.Timeout;

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly transport: QueueTransport,
    private readonly dataSource: DataSource,
    private readonly cluster: ClusterRepository,
  ) {
    this.registrationIntervalMs = Math.min(MAX_REGISTRATION_INTERVAL_MS, Math.floor(config.workerLostAfterMs / 3));
    this.markIntervalMs = Math.min(MAX_MARK_INTERVAL_MS, Math.floor(config.workerLostAfterMs / 4));
  }

  /** A poll: the worker says who it is. */
  async polled(profile: WorkerProfile): Promise<void> {
    const known = this.known.get(profile.id);
    const changed = !known || JSON.stringify(known.profile) !== JSON.stringify(profile);
    const entry = known ?? { profile, registeredAt: 0, markedAt: 0, heardAt: 0, waiting: 0, running: 0 };
    entry.profile = profile;
    this.known.set(profile.id, entry);
    await this.touch(entry, changed);
  }

  /** A heartbeat or report: the worker is alive, whichever scheduler took its poll. */
  async heard(workerId: string): Promise<void> {
    let entry = this.known.get(workerId);
    if (!entry) {
      const row = await this.cluster.findWorker(this.dataSource, workerId).catch(() => undefined);
      const profile = row
        ? { id: row.id, host: row.host, types: row.types, concurrency: row.concurrency, version: row.version }
        : undefined;
      if (!profile) {
        await this.mark(workerId);
        return;
      }
      entry = { profile, registeredAt: 0, markedAt: 0, heardAt: 0, waiting: 0, running: 0 };
      this.known.set(workerId, entry);
    }
    await this.touch(entry, false);
  }

  waitStarted(workerId: string): void {
    const entry = this.known.get(workerId);
    if (entry) entry.waiting++;
    this.refresh ??= setInterval(() => void this.refreshWaiting(), this.registrationIntervalMs);
    this.refresh.unref();
  }

  waitEnded(workerId: string): void {
    const entry = this.known.get(workerId);
    if (entry) entry.waiting = Math.max(0, entry.waiting - 1);
  }

  leased(workerId: string, count: number): void {
    const entry = this.known.get(workerId);
    if (entry) entry.running += count;
  }

  ended(workerId: string): void {
    const entry = this.known.get(workerId);
    if (entry) entry.running = Math.max(0, entry.running - 1);
  }

  onModuleDestroy(): void {
    clearInterval(this.refresh);
  }

  private async touch(entry: Known, force: boolean): Promise<void> {
    const now = Date.now();
    entry.heardAt = now;
    const work: Promise<unknown>[] = [];
    if (force || now - entry.markedAt >= this.markIntervalMs) {
      entry.markedAt = now;
      work.push(this.mark(entry.profile.id));
    }
    if (force || now - entry.registeredAt >= this.registrationIntervalMs) {
      entry.registeredAt = now;
      work.push(this.register(entry));
    }
    await Promise.all(work);
  }

  private mark(workerId: string): Promise<void> {
    return this.transport.markAlive(workerId, this.config.workerLostAfterMs).catch(() => undefined);
  }

  private async register(entry: Known): Promise<void> {
    try {
      await this.transport.results().publish({
        kind: 'worker',
        at: new Date().toISOString(),
        worker: { ...entry.profile, status: 'active', running: entry.running },
      });
    } catch (error) {
      this.logger.warn(`could not register worker ${entry.profile.id}: ${(error as Error).message}`);
    }
  }

  /** Workers whose polls are waiting here are alive though silent; forgotten ones are dropped. */
  private async refreshWaiting(): Promise<void> {
    const now = Date.now();
    let waiting = 0;
    for (const [id, entry] of this.known) {
      if (entry.waiting > 0) {
        waiting++;
        await this.touch(entry, false);
      } else if (now - entry.heardAt > FORGET_AFTER_MS && entry.running === 0) this.known.delete(id);
    }
    if (waiting === 0 && this.known.size === 0) {
      clearInterval(this.refresh);
      this.refresh = undefined;
    }
  }
}
