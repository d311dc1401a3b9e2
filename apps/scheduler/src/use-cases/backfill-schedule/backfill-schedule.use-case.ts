import { Injectable } from '@nestjs/common';
import { Conflict, InvalidInput, NotFound, ticksBetween, tickKey } from '@flowctl/core';
import { ScheduleRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { StartRunUseCase } from '../start-run/start-run.use-case';

export const MAX_BACKFILL_TICKS = 1_000;

/**
 * Starts one run per tick of a time range, with the same idempotency key the
 * cron timer uses for that tick: a backfill that overlaps ticks already fired,
 * or is repeated, starts nothing twice.
 */
@Injectable()
export class BackfillScheduleUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly schedules: ScheduleRepository,
    private readonly startRun: StartRunUseCase,
  ) {}

  async execute(namespace: string, workflow: string, range: { from?: unknown; to?: unknown }) {
    const from = parseTime('from', range.from);
    const to = parseTime('to', range.to);
    if (to <= from) throw new InvalidInput('to must be after from');
    const schedule = await this.schedules.find(this.dataSource, namespace, workflow);
    if (!schedule) throw new NotFound(`workflow "${workflow}" has no schedule in namespace "${namespace}"`);
    const ticks = ticksBetween(schedule, from, to, MAX_BACKFILL_TICKS + 1);
    if (ticks.length > MAX_BACKFILL_TICKS)
      throw new Conflict(`the range holds more than ${MAX_BACKFILL_TICKS} ticks of "${schedule.cron}"; backfill it in parts`);
    const items = [];
    for (const tick of ticks) {
      const { run, created } = await this.startRun.execute({ namespace, workflow, idempotencyKey: tickKey(tick), scheduledFor: tick });
      items.push({ tick, runId: run.id, status: run.status, created });
    }
    return { items, nextCursor: null };
  }
}

function parseTime(name: string, value: unknown): Date {
  const time = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) throw new InvalidInput(`${name} must be an ISO 8601 time such as 2026-01-31T00:00:00Z`);
  return new Date(time);
}
