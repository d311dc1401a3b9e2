import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFound, nextTick } from '@flowctl/core';
import { ScheduleRepository, type ScheduleRow } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { BackfillScheduleUseCase } from '../use-cases/backfill-schedule/backfill-schedule.use-case';
import type { Access } from '../auth/access';
import { Audited, CallerAccess, RequireRole } from '../auth/auth-metadata';
import { workflowNameParam } from './request-params';

export const scheduleView = (schedule: ScheduleRow) => ({
  cron: schedule.cron,
  timezone: schedule.timezone,
  overlap: schedule.overlap,
  paused: schedule.paused,
  nextFireAt: schedule.paused ? null : schedule.nextFireAt,
  lastFiredAt: schedule.lastFiredAt,
  bufferedFireAt: schedule.bufferedFireAt,
});

@ApiTags('schedules')
@Controller('workflows/:name')
export class SchedulesController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly schedules: ScheduleRepository,
    private readonly backfill: BackfillScheduleUseCase,
  ) {}

  @Get('schedule')
  @RequireRole('viewer')
  @ApiOperation({ summary: "A workflow's cron schedule: next and last tick, paused or not" })
  async get(@Param('name') name: string, @CallerAccess() access: Access, @Query('namespace') namespace?: string) {
    const ns = this.visibleNamespace(name, access, namespace);
    const schedule = await this.schedules.find(this.dataSource, ns, workflowNameParam(name));
    if (!schedule) throw new NotFound(`workflow "${name}" has no schedule in namespace "${ns}"`);
    return scheduleView(schedule);
  }

  @Post('schedule/pause')
  @HttpCode(200)
  @RequireRole('operator')
  @Audited('schedule.pause')
  @ApiOperation({ summary: 'Stop firing ticks until resumed' })
  async pause(@Param('name') name: string, @CallerAccess() access: Access, @Query('namespace') namespace?: string) {
    return this.setPaused(name, this.visibleNamespace(name, access, namespace), true);
  }

  @Post('schedule/resume')
  @HttpCode(200)
  @RequireRole('operator')
  @Audited('schedule.resume')
  @ApiOperation({ summary: 'Fire ticks again, from the next one after now (missed ticks are not replayed: backfill them)' })
  async resume(@Param('name') name: string, @CallerAccess() access: Access, @Query('namespace') namespace?: string) {
    return this.setPaused(name, this.visibleNamespace(name, access, namespace), false);
  }

  @Post('backfill')
  @HttpCode(200)
  @RequireRole('operator')
  @Audited('schedule.backfill')
  @ApiOperation({ summary: 'Start one run per tick in (from, to]; ticks that already have a run are not started again' })
  async backfillRange(
    @Param('name') name: string,
    @Body() body: { from?: unknown; to?: unknown },
    @CallerAccess() access: Access,
    @Query('namespace') namespace?: string,
  ) {
    return this.backfill.execute(this.visibleNamespace(name, access, namespace), workflowNameParam(name), body ?? {});
  }

  /** Another namespace's workflow answers as one without a schedule. */
  private visibleNamespace(name: string, access: Access, namespace: string | undefined): string {
    const ns = access.namespaceOf(namespace);
    access.assertVisible(ns, `workflow "${name}" has no schedule in namespace "${ns}"`);
    return ns;
  }

  private async setPaused(name: string, ns: string, paused: boolean) {
    const current = await this.schedules.find(this.dataSource, ns, workflowNameParam(name));
    if (!current) throw new NotFound(`workflow "${name}" has no schedule in namespace "${ns}"`);
    const updated = await this.schedules.setPaused(this.dataSource, ns, name, paused, paused ? undefined : nextTick(current, new Date()));
    if (!paused) await this.dataSource.query(`SELECT pg_notify('flowctl_timers', '')`);
    return scheduleView(updated!);
  }
}
