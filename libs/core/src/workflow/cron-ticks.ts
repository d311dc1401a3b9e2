import { CronExpressionParser } from 'cron-parser';
import type { ScheduleDefinition } from './workflow-definition';

/** The idempotency key of a tick's run: the one thing that makes a tick fire exactly once, by the timer or a backfill. */
export const tickKey = (tick: Date): string => `schedule:${tick.toISOString()}`;

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

/** Any date will do as the start: a schedule that fires at all fires within its first few years of ticks from it. */
const REFERENCE_DATE = new Date(Date.UTC(2000, 0, 1));

/**
 * Why a well-formed schedule can never fire (`0 0 31 2 *`: no February has a
 * 31st), or undefined when it can. Checked at apply so the answer is a 400
 * naming the field there, not a failure when the scheduler computes the tick.
 */
export function neverFiresProblem(schedule: Pick<ScheduleDefinition, 'cron' | 'timezone'>): string | undefined {
  try {
    nextTick(schedule, REFERENCE_DATE);
    return undefined;
  } catch (error) {
    const reason = (error as Error).message;
    return /day of month/i.test(reason)
      ? `"${schedule.cron}" never fires: no month it names has that day of the month`
      : `"${schedule.cron}" never fires: ${reason}`;
  }
}
