import { CronExpressionParser } from 'cron-parser';
import type { ScheduleDefinition } from './workflow-definition';

/** The first tick of a schedule strictly after `after`. */
export function nextTick(schedule: Pick<ScheduleDefinition, 'cron' | 'timezone'>, after: Date): Date {
  return CronExpressionParser.parse(schedule.cron, { currentDate: after, tz: schedule.timezone }).next().toDate();
}

/** Every tick in (from, to], at most `limit` of them: what a backfill of that range starts. */
export function ticksBetween(schedule: Pick<ScheduleDefinition, 'cron' | 'timezone'>, from: Date, to: Date, limit: number): Date[] {
  const ticks: Date[] = [];
  const expression = CronExpressionParser.parse(schedule.cron, { currentDate: from, tz: schedule.timezone });
  while (ticks.length < limit) {
    const tick = expression.next().toDate();
    if (tick.getTime() > to.getTime()) break;
    ticks.push(tick);
  }
  return ticks;
}
