import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { TIMERS_CHANNEL } from '@flowctl/core';
import { NotificationListener } from '@flowctl/queue';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../../config/scheduler-config';
import { LeaderLease, type Leadership } from '../leader-lease';
import { LEADER_TIMERS, type LeaderTimer } from './leader-timer';

/** Upper bound on one sleep: a missed notification costs at most this much delay. */
const MAX_SLEEP_MS = 30_000;
const RETRY_AFTER_ERROR_MS = 1_000;

/**
 * Leader duty: wakes exactly when the earliest timer (retry, timeout,
 * deadline, cron tick) is due, or when any engine transaction sets a sooner
 * one (NOTIFY flowctl_timers). No scan loop: one indexed min() per timer per
 * wake-up.
 */
@Injectable()
export class TimerDuty implements OnModuleDestroy {
  private readonly logger = new Logger(TimerDuty.name);
  private readonly listener: NotificationListener;
  private leadership?: Leadership;
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;

  constructor(
    @Inject(SCHEDULER_CONFIG) config: SchedulerConfig,
    @Inject(LEADER_TIMERS) private readonly timers: LeaderTimer[],
    lease: LeaderLease,
  ) {
    this.listener = new NotificationListener(config.databaseUrl, TIMERS_CHANNEL, () => this.wake());
    lease.onLeadershipChange({
      elected: (leadership) => {
        this.leadership = leadership;
        void this.listener.start().then(
          () => this.wake(),
          (error: Error) => {
            this.logger.error(`cannot listen for timers: ${error.message}`);
            this.wake();
          },
        );
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
    let delay = MAX_SLEEP_MS;
    try {
      do {
        this.again = false;
        for (const timer of this.timers) {
          const leadership = this.leadership;
          if (!leadership) return;
          while ((await timer.fire(leadership)) && this.leadership === leadership);
        }
      } while (this.again);
      for (const timer of this.timers) {
        const next = await timer.nextDueAt();
        if (next) delay = Math.min(delay, Math.max(0, next.getTime() - Date.now()));
      }
    } catch (error) {
      this.logger.error(`leader timers failed: ${(error as Error).message}`);
      delay = RETRY_AFTER_ERROR_MS;
    } finally {
      this.running = false;
      if (this.leadership) this.timer = setTimeout(() => this.wake(), delay + 5);
    }
  }
}
