import { Injectable } from '@nestjs/common';
import { InsightsRollupRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { nextRollupPass, ROLLUP_EVERY_MS } from './insights-rollup-pass';
import type { LeaderTimer } from './leader-timer';

/**
 * Leader duty: keeps the rollups of GET /insights (migrations 11 and 15) up to 2 minutes ago. Off the
 * engine's path: no trigger, nothing in the transactions that apply results; every ROLLUP_EVERY_MS, one
 * transaction rewrites the recent hours from runs and task_runs.
 */
@Injectable()
export class InsightsRollupTimer implements LeaderTimer {
  readonly name = 'insights-rollup';
  private dueAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly rollups: InsightsRollupRepository,
  ) {}

  async fire(): Promise<boolean> {
    const now = Date.now();
    if (now < this.dueAt) return false;
    const rolledUntil = await this.rollups.rolledUntil(this.dataSource);
    const pass = nextRollupPass(rolledUntil, rolledUntil ? null : await this.rollups.firstHour(this.dataSource), now);
    if (pass) await this.dataSource.transaction((manager) => this.rollups.rollUp(manager, new Date(pass.from), new Date(pass.to)));
    // Behind: the next hours at the duty's next wake-up, after the other timers have had their turn.
    this.dueAt = pass?.behind ? now : now + ROLLUP_EVERY_MS;
    return false;
  }

  async nextDueAt(): Promise<Date | null> {
    return new Date(Math.max(this.dueAt, Date.now()));
  }
}
