import { Injectable } from '@nestjs/common';
import { InsightsRollupRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import type { LeaderTimer } from './leader-timer';

const HOUR_MS = 3_600_000;
/** How often the rollups catch up: GET /insights reads what is newer from the tables themselves. */
const EVERY_MS = 5 * 60_000;
/**
 * An hour is rolled up once it has been over this long (results of its last minutes may still be on
 * their way), and rewritten on every pass for this long after: a task run whose end is recorded late
 * (a worker's report applied after a scheduler restart carries the worker's end time) still counts.
 */
const SETTLE_MS = 5 * 60_000;
const REWRITTEN_HOURS_MS = 2 * HOUR_MS;
/** One transaction rolls up at most 6 hours (a few seconds at 6,000 task runs an hour): a long history catches up pass by pass. */
const HOURS_PER_PASS_MS = 6 * HOUR_MS;

/**
 * Leader duty: keeps the hourly rollups of GET /insights (migration 10) up to an hour ago. Off the
 * engine's path: no trigger, nothing in the transactions that apply results; every EVERY_MS, one
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
    const target = Math.floor((now - SETTLE_MS) / HOUR_MS) * HOUR_MS;
    const rolledUntil = await this.rollups.rolledUntil(this.dataSource);
    const from = rolledUntil ? rolledUntil.getTime() - REWRITTEN_HOURS_MS : (await this.rollups.firstHour(this.dataSource))?.getTime();
    if (from === undefined || from >= target) {
      this.dueAt = now + EVERY_MS;
      return false;
    }
    const to = Math.min(target, from + HOURS_PER_PASS_MS);
    await this.dataSource.transaction((manager) => this.rollups.rollUp(manager, new Date(from), new Date(to)));
    // Behind: the next hours at the duty's next wake-up, after the other timers have had their turn.
    this.dueAt = to < target ? now : now + EVERY_MS;
    return false;
  }

  async nextDueAt(): Promise<Date | null> {
    return new Date(Math.max(this.dueAt, Date.now()));
  }
}
