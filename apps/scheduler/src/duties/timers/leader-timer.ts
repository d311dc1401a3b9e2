import type { Leadership } from '../leader-lease';

/**
 * One kind of due work the leader acts on at a time kept in PostgreSQL:
 * retries, task timeouts, run deadlines, cron ticks. The timer duty asks each
 * when it is next due and wakes exactly then.
 */
export interface LeaderTimer {
  readonly name: string;
  /** Handles what is due now; returns true if there may be more (a full batch). */
  fire(leadership: Leadership): Promise<boolean>;
  nextDueAt(): Promise<Date | null>;
}

export const LEADER_TIMERS = Symbol('LEADER_TIMERS');
