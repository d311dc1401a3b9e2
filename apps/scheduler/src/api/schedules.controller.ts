import { Controller, Param } from '@nestjs/common';
import type { BodyOf, QueryOf, ResponseOf } from '@flowctl/api-contract';
import { NotFound, nextTick, TIMERS_CHANNEL } from '@flowctl/core';
import { ScheduleRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { BackfillScheduleUseCase } from '../use-cases/backfill-schedule/backfill-schedule.use-case';
import type { Access } from '../auth/access';
import { Audited, CallerAccess, RequireRole } from '../auth/auth-metadata';
import { ContractBody, ContractQuery, Route } from './contract-route';
import { workflowNameParam } from './request-params';
import { iso, scheduleView } from './views';

@Controller()
export class SchedulesController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly schedules: ScheduleRepository,
    private readonly backfill: BackfillScheduleUseCase,
  ) {}

  @Route('getSchedule')
  @RequireRole('viewer')
  async get(
    @Param('name') name: string,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'getSchedule'>,
  ): Promise<ResponseOf<'getSchedule'>> {
    const ns = this.visibleNamespace(name, access, query.namespace);
    const schedule = await this.schedules.find(this.dataSource, ns, workflowNameParam(name));
    if (!schedule) throw new NotFound(`workflow "${name}" has no schedule in namespace "${ns}"`);
    return scheduleView(schedule);
  }

  @Route('pauseSchedule')
  @RequireRole('operator')
  @Audited('schedule.pause')
  async pause(
    @Param('name') name: string,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'pauseSchedule'>,
  ): Promise<ResponseOf<'pauseSchedule'>> {
    return this.setPaused(name, this.visibleNamespace(name, access, query.namespace), true);
  }

  @Route('resumeSchedule')
  @RequireRole('operator')
  @Audited('schedule.resume')
  async resume(
    @Param('name') name: string,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'resumeSchedule'>,
  ): Promise<ResponseOf<'resumeSchedule'>> {
    return this.setPaused(name, this.visibleNamespace(name, access, query.namespace), false);
  }

  @Route('backfillSchedule')
  @RequireRole('operator')
  @Audited('schedule.backfill')
  async backfillRange(
    @Param('name') name: string,
    @ContractBody() body: BodyOf<'backfillSchedule'>,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'backfillSchedule'>,
  ): Promise<ResponseOf<'backfillSchedule'>> {
    const result = await this.backfill.execute(this.visibleNamespace(name, access, query.namespace), workflowNameParam(name), body);
    return { ...result, items: result.items.map((item) => ({ ...item, tick: iso(item.tick) })) };
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
    if (!paused) await this.dataSource.query(`SELECT pg_notify('${TIMERS_CHANNEL}', '')`);
    return scheduleView(updated!);
  }
}
