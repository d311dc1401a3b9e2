import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFound } from '@flowctl/core';
import { RunRepository, TaskRunRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import type { Access } from '../auth/access';
import { CallerAccess, RequireRole } from '../auth/auth-metadata';
import { runIdParam } from './request-params';
import { taskView } from './views';

/**
 * One task of a run, by name: what the dashboard's task panel re-reads while it
 * is open (heartbeat details change without an event), without fetching the
 * whole run.
 */
@ApiTags('runs')
@Controller('runs')
export class RunTasksController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunRepository,
    private readonly taskRuns: TaskRunRepository,
  ) {}

  @Get(':id/tasks/:name')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One task of a run: resolved input, output, error, worker, latest heartbeat details' })
  async get(@Param('id') id: string, @Param('name') name: string, @CallerAccess() access: Access) {
    const run = await this.runs.find(this.dataSource, runIdParam(id));
    if (!run) throw new NotFound(`run ${id} not found`);
    access.assertVisible(run.namespace, `run ${id} not found`);
    const task = await this.taskRuns.find(this.dataSource, runIdParam(id), name);
    if (!task) throw new NotFound(`run ${id} has no task "${name}"`);
    return taskView(task);
  }
}
