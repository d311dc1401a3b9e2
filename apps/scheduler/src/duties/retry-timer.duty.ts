import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { NotificationListener, TaskRunRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';
import { ReleaseDueRetriesUseCase } from '../use-cases/release-due-retries/release-due-retries.use-case';
import { LeaderLease, type Leadership } from './leader-lease';

/** Upper bound on one sleep: a missed notification costs at most this much delay. */
const MAX_SLEEP_MS = 30_000;

/**
 * Leader duty: wakes exactly when the earliest retry is due, or when an engine
 * transaction anywhere schedules a sooner one (NOTIFY flowctl_timers). No scan
 * loop: one indexed min() per wake-up.
 */
@Injectable()
export class RetryTimerDuty implements OnModuleDestroy {
  private readonly logger = new Logger(RetryTimerDuty.name);
  private readonly listener: NotificationListener;
  private leadership?: Leadership;
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;

  constructor(
    @Inject(SCHEDULER_CONFIG) config: SchedulerConfig,
    private readonly dataSource: DataSource,
    private readonly taskRuns: TaskRunRepository,
    private readonly releaseDueRetries: ReleaseDueRetriesUseCase,
    lease: LeaderLease,
  ) {
    this.listener = new NotificationListener(config.databaseUrl, 'flowctl_timers', () => this.wake());
    lease.onLeadershipChange({
      elected: (leadership) => {
        this.leadership = leadership;
        void this.listener.start().then(() => this.wake(), (error: Error) => this.logger.error(`cannot listen for timers: ${error.message}`));
      },
      deposed: () => {
        this.leadership = undefined;
        clearTimeout(this.timer);
        void this.listener.stop();
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.leadership = undefined;
    clearTimeout(this.timer);
    await this.listener.stop();
  }

  wake(): void {
    if (!this.leadership) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.tick();
  }

  private async tick(): Promise<void> {
    this.running = true;
    clearTimeout(this.timer);
    try {
      do {
        this.again = false;
        const leadership = this.leadership;
        if (!leadership) return;
        while ((await this.releaseDueRetries.execute(leadership.holder, leadership.token)) > 0 && this.leadership === leadership);
      } while (this.again);
      const next = await this.taskRuns.nextRetryAt(this.dataSource);
      const sleep = next ? Math.max(0, Math.min(next.getTime() - Date.now(), MAX_SLEEP_MS)) : MAX_SLEEP_MS;
      if (this.leadership) this.timer = setTimeout(() => this.wake(), sleep + 5);
    } catch (error) {
      this.logger.error(`releasing due retries failed: ${(error as Error).message}`);
      if (this.leadership) this.timer = setTimeout(() => this.wake(), 1_000);
    } finally {
      this.running = false;
    }
  }
}
