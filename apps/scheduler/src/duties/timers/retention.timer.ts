import { Inject, Injectable } from '@nestjs/common';
import { EventRepository, RunRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../../config/scheduler-config';
import type { Leadership } from '../leader-lease';
import { PruneFinishedRunsUseCase, type PruneBatch } from '../../use-cases/prune-finished-runs/prune-finished-runs.use-case';
import type { LeaderTimer } from './leader-timer';
import { nextRetentionDue } from './retention-due';

/** Small transactions: a batch holds its locks and its share of the disk for well under a second. */
const BATCH: PruneBatch = { maxRuns: 500, maxTasks: 20_000 };
const EVENT_BATCH = 5_000;

/**
 * FLOWCTL_RETENTION: prunes runs that finished, and events received, more than
 * the retention period ago. Due when the oldest prunable run crosses the period, so the timer duty
 * sleeps until then; one batch per wake-up, then a pause.
 */
@Injectable()
export class RetentionTimer implements LeaderTimer {
  readonly name = 'retention';
  /** Nothing is prunable before this (epoch ms); unknown until the first wake-up. */
  private dueAt?: number;

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly dataSource: DataSource,
    private readonly runs: RunRepository,
    private readonly pruneFinishedRuns: PruneFinishedRunsUseCase,
    private readonly receivedEvents: EventRepository,
  ) {}

  /*
   * Always false: the timer duty would call again at once on true, and a
   * backlog must not hold the other timers (retries, timeouts) back. The
   * next batch comes RETENTION_PAUSE_MS later through nextDueAt.
   */
  async fire(leadership: Leadership): Promise<boolean> {
    const retentionMs = this.config.retentionMs;
    // Every wake-up of the duty (any timer's NOTIFY) passes here; only a due time costs a query.
    if (retentionMs === null || (this.dueAt !== undefined && Date.now() < this.dueAt)) return false;
    const cutoff = new Date(Date.now() - retentionMs);
    await this.pruneFinishedRuns.execute(leadership.holder, leadership.token, cutoff, BATCH);
    // Received events go by the same period; deleting one twice (a deposed leader) is harmless, so no fence.
    await this.receivedEvents.prune(this.dataSource, cutoff, EVENT_BATCH);
    this.dueAt = nextRetentionDue(await this.runs.earliestPrunableFinish(this.dataSource), retentionMs, Date.now());
    return false;
  }

  async nextDueAt(): Promise<Date | null> {
    if (this.config.retentionMs === null) return null;
    return new Date(this.dueAt ?? Date.now());
  }
}
