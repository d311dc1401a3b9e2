import { Injectable, Logger } from '@nestjs/common';
import { FlowctlError, nextTick, tickKey } from '@flowctl/core';
import { ClusterRepository, RunRepository, ScheduleRepository, type ScheduleRow, LEADER_LEASE } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { CancelRunUseCase } from '../../use-cases/cancel-run/cancel-run.use-case';
import { StartRunUseCase } from '../../use-cases/start-run/start-run.use-case';
import type { Leadership } from '../leader-lease';
import type { LeaderTimer } from './leader-timer';

const BATCH = 50;
/** A buffered tick waits for its workflow's runs to end; this is how often the leader looks again meanwhile. */
const BUFFERED_RECHECK_MS = 1_000;

/**
 * Fires cron ticks. Each tick's run is started with the idempotency key of the
 * tick *before* the schedule moves past it, so a crash in between, a restart
 * or a second leader can only ever find the same run again. Ticks missed while
 * no leader was running fire once, not once per missed tick. Overlap:
 * `allow` starts anyway, `forbid` skips the tick while a run is active,
 * `replace` cancels the active runs first, `buffer_one` keeps one tick to
 * start when the active runs end.
 */
@Injectable()
export class CronTimer implements LeaderTimer {
  readonly name = 'cron';
  private readonly logger = new Logger(CronTimer.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly schedules: ScheduleRepository,
    private readonly runs: RunRepository,
    private readonly cluster: ClusterRepository,
    private readonly startRun: StartRunUseCase,
    private readonly cancelRun: CancelRunUseCase,
  ) {}

  async fire(leadership: Leadership): Promise<boolean> {
    const due = await this.schedules.due(this.dataSource, BATCH);
    for (const schedule of due) {
      try {
        await this.fireOne(schedule, leadership);
      } catch (error) {
        this.logger.error(`schedule ${schedule.namespace}/${schedule.name}: ${(error as Error).message}`);
      }
    }
    return due.length >= BATCH;
  }

  async nextDueAt(): Promise<Date | null> {
    const { next, buffered } = await this.schedules.nextDueAt(this.dataSource);
    if (!buffered) return next;
    const recheck = new Date(Date.now() + BUFFERED_RECHECK_MS);
    return next && next < recheck ? next : recheck;
  }

  private async fireOne(schedule: ScheduleRow, leadership: Leadership): Promise<void> {
    const now = new Date();
    const tickDue = schedule.nextFireAt.getTime() <= now.getTime();
    const active = await this.runs.active(this.dataSource, schedule.namespace, schedule.name);
    let start: Date | undefined;
    let buffered = schedule.bufferedFireAt;

    if (buffered && active.length === 0) {
      start = buffered;
      buffered = null;
    }
    if (tickDue) {
      const tick = schedule.nextFireAt;
      if (start) {
        // A buffered tick is starting now; the due one waits behind it.
        buffered = tick;
      } else if (active.length === 0 || schedule.overlap === 'allow') {
        start = tick;
      } else if (schedule.overlap === 'replace') {
        for (const run of active)
          await this.cancelRun.execute(run.id, { reason: `replaced by the ${tick.toISOString()} tick` }).catch(() => undefined);
        start = tick;
      } else if (schedule.overlap === 'buffer_one') {
        buffered = buffered ?? tick;
      } else {
        this.logger.log(
          `${schedule.namespace}/${schedule.name}: skipped the ${tick.toISOString()} tick, a run is still active (overlap: forbid)`,
        );
      }
    }
    if (start) {
      try {
        await this.startRun.execute({
          namespace: schedule.namespace,
          workflow: schedule.name,
          idempotencyKey: tickKey(start),
          scheduledFor: start,
        });
      } catch (error) {
        // A workflow whose inputs have no defaults cannot be started by a clock; say so and move on.
        if (!(error instanceof FlowctlError)) throw error;
        this.logger.warn(`${schedule.namespace}/${schedule.name}: the ${start.toISOString()} tick could not start a run: ${error.message}`);
      }
    }
    const nextFireAt = tickDue ? nextTick(schedule, now > schedule.nextFireAt ? now : schedule.nextFireAt) : schedule.nextFireAt;
    await this.dataSource.transaction(async (tx) => {
      if (!(await this.cluster.holdsLease(tx, LEADER_LEASE, leadership.holder, leadership.token))) return;
      await this.schedules.advance(tx, schedule, { nextFireAt, firedAt: start, bufferedFireAt: buffered });
    });
  }
}
