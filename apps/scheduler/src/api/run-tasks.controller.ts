import { Controller, Param } from '@nestjs/common';
import type { QueryOf, ResponseOf } from '@flowctl/api-contract';
import { NotFound } from '@flowctl/core';
import { RunRepository, TaskRunViewRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import type { Access } from '../auth/access';
import { CallerAccess, RequireRole } from '../auth/auth-metadata';
import { ContractQuery, Route } from './contract-route';
import { decodeCursor, page } from './cursor';
import { runIdParam } from './request-params';
import { taskView } from './views';

/** Inputs and outputs stored larger than this come as null with a flag, as in GET /runs/:id. */
const INLINE_VALUE_BYTES = 16 * 1024;

const isIndexCursor = (value: unknown): value is { index: number } =>
  typeof value === 'object' && value !== null && Number.isSafeInteger((value as { index?: unknown }).index);

/**
 * One task of a run, by name: what the dashboard's task panel re-reads while it
 * is open (heartbeat details change without an event), without fetching the
 * whole run.
 */
@Controller()
export class RunTasksController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunRepository,
    private readonly taskRuns: TaskRunViewRepository,
  ) {}

  @Route('getTask')
  @RequireRole('viewer')
  async get(@Param('id') id: string, @Param('name') name: string, @CallerAccess() access: Access): Promise<ResponseOf<'getTask'>> {
    const run = await this.runs.find(this.dataSource, runIdParam(id));
    if (!run) throw new NotFound(`run ${id} not found`);
    access.assertVisible(run.namespace, `run ${id} not found`);
    const task = await this.taskRuns.find(this.dataSource, runIdParam(id), name);
    if (!task) throw new NotFound(`run ${id} has no task "${name}"`);
    return taskView(task);
  }

  @Route('listTaskInstances')
  @RequireRole('viewer')
  async instances(
    @Param('id') id: string,
    @Param('name') name: string,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'listTaskInstances'>,
  ): Promise<ResponseOf<'listTaskInstances'>> {
    const run = await this.runs.find(this.dataSource, runIdParam(id));
    if (!run) throw new NotFound(`run ${id} not found`);
    access.assertVisible(run.namespace, `run ${id} not found`);
    const size = query.limit;
    const wanted = query.status;
    const after = decodeCursor(query.cursor, isIndexCursor);
    const task = await this.taskRuns.find(this.dataSource, run.id, name);
    if (!task) throw new NotFound(`run ${id} has no task "${name}"`);
    const rows = await this.taskRuns.instancePage(this.dataSource, task.id, {
      afterIndex: after?.index,
      limit: size + 1,
      status: wanted,
      maxValueBytes: INLINE_VALUE_BYTES,
    });
    const result = page(rows, size, (last) => ({ index: last.itemIndex }));
    return { ...result, items: result.items.map(taskView) };
  }
}
