import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InvalidInput, NotFound } from '@flowctl/core';
import { RunEventRepository, RunRepository, TaskRunRepository, type RunRow } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import type { Access } from '../auth/access';
import { Audited, CallerAccess, RequireRole } from '../auth/auth-metadata';
import { CancelRunUseCase } from '../use-cases/cancel-run/cancel-run.use-case';
import { DecideApprovalUseCase } from '../use-cases/decide-approval/decide-approval.use-case';
import { RetryRunUseCase } from '../use-cases/retry-run/retry-run.use-case';
import { decodeCursor, encodeCursor, isBigintIdField, isTimestampField, isUuidField, page, parseLimit } from './cursor';
import { optionalString, runIdParam, runStatusParam } from './request-params';
import { eventView, runView, taskView } from './views';

const isRunCursor = (value: unknown): value is { createdAt: string; id: string } =>
  typeof value === 'object' &&
  value !== null &&
  isTimestampField((value as { createdAt?: unknown }).createdAt) &&
  isUuidField((value as { id?: unknown }).id);
const isIdCursor = (value: unknown): value is { id: string } =>
  typeof value === 'object' && value !== null && isBigintIdField((value as { id?: unknown }).id);

/** A created-time bound (`from`/`to` of GET /runs): any ISO 8601 time, normalised to UTC. */
function timeParam(name: string, value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  const time = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) throw new InvalidInput(`${name} must be an ISO 8601 time such as 2026-01-31T12:00:00Z`);
  return new Date(time).toISOString();
}

/** A run answers with its tasks inline up to this many; larger runs page them with tasksCursor. */
const TASKS_PAGE = 1_000;

/**
 * Inputs and outputs stored larger than this (after PostgreSQL's compression) are not inline in a run's
 * page of tasks: `inputTruncated`/`outputTruncated` say so, and GET /runs/:id/tasks/:name has them whole.
 */
const INLINE_VALUE_BYTES = 16 * 1024;

@ApiTags('runs')
@Controller('runs')
export class RunsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunRepository,
    private readonly taskRuns: TaskRunRepository,
    private readonly events: RunEventRepository,
    private readonly cancelRun: CancelRunUseCase,
    private readonly retryRun: RetryRunUseCase,
    private readonly decideApproval: DecideApprovalUseCase,
  ) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Runs, newest first, filtered by workflow, status and created time (from inclusive, to exclusive)' })
  async list(
    @CallerAccess() access: Access,
    @Query('workflow') workflow?: string,
    @Query('status') status?: string,
    @Query('namespace') namespace?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
  ) {
    const size = parseLimit(limit);
    const rows = await this.runs.list(this.dataSource, {
      createdFrom: timeParam('from', from),
      createdTo: timeParam('to', to),
      namespaces: access.listFilter(namespace),
      workflow: optionalString('workflow', workflow),
      status: runStatusParam(status),
      before: decodeCursor(cursor, isRunCursor),
      limit: size + 1,
    });
    const result = page(rows, size, (last) => ({ createdAt: new Date(last.createdAt).toISOString(), id: last.id }));
    return { ...result, items: result.items.map(runView) };
  }

  @Get(':id')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'A run with its tasks (tasksLimit/tasksCursor page the tasks of very large runs)' })
  async get(
    @Param('id') id: string,
    @CallerAccess() access: Access,
    @Query('tasksLimit') tasksLimit?: string,
    @Query('tasksCursor') tasksCursor?: string,
  ) {
    const run = await this.visibleRun(id, access);
    const size = parseLimit(tasksLimit, TASKS_PAGE, 10_000);
    const after = decodeCursor(tasksCursor, isIdCursor);
    const rows = await this.taskRuns.forRun(this.dataSource, run.id, {
      afterId: after?.id,
      limit: size + 1,
      maxValueBytes: INLINE_VALUE_BYTES,
    });
    const tasks = rows.slice(0, size);
    return {
      ...runView(run),
      tasks: tasks.map(taskView),
      tasksNextCursor: rows.length > size ? encodeCursor({ id: tasks[tasks.length - 1]!.id }) : null,
    };
  }

  @Get(':id/events')
  @RequireRole('viewer')
  @ApiOperation({
    summary:
      'The run event history, oldest first; with `before` (an event id), the latest `limit` events before it and `earlierBefore`, the id to page further back from (null at the start)',
  })
  async history(
    @Param('id') id: string,
    @CallerAccess() access: Access,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
    @Query('before') before?: string,
  ) {
    const run = await this.visibleRun(id, access);
    const size = parseLimit(limit, 1_000, 10_000);
    if (before !== undefined && before !== '') {
      if (!isBigintIdField(before)) throw new InvalidInput('before must be an event id');
      const newestFirst = await this.events.latest(this.dataSource, run.id, { beforeId: before, limit: size + 1 });
      const items = newestFirst.slice(0, size).reverse();
      return { items: items.map(eventView), nextCursor: null, earlierBefore: newestFirst.length > size ? items[0]!.id : null };
    }
    const rows = await this.events.list(this.dataSource, run.id, { afterId: decodeCursor(cursor, isIdCursor)?.id, limit: size + 1 });
    const result = page(rows, size, (last) => ({ id: last.id }));
    return { ...result, items: result.items.map(eventView) };
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireRole('operator')
  @Audited('run.cancel')
  @ApiOperation({ summary: 'Cancel a run; running tasks get their AbortSignal fired' })
  async cancel(@Param('id') id: string, @CallerAccess() access: Access) {
    return runView(await this.cancelRun.execute((await this.visibleRun(id, access)).id));
  }

  @Post(':id/retry')
  @HttpCode(200)
  @RequireRole('operator')
  @Audited('run.retry')
  @ApiOperation({ summary: 'Re-run a failed run from its failed tasks' })
  async retry(@Param('id') id: string, @CallerAccess() access: Access) {
    return runView(await this.retryRun.execute((await this.visibleRun(id, access)).id));
  }

  @Post(':id/tasks/:task/approve')
  @HttpCode(200)
  @RequireRole('operator')
  @Audited('task.approve')
  @ApiOperation({ summary: 'Approve a waiting approval step' })
  async approve(@Param('id') id: string, @Param('task') task: string, @Body() body: unknown, @CallerAccess() access: Access) {
    return taskView(await this.decideApproval.execute((await this.visibleRun(id, access)).id, task, true, body));
  }

  @Post(':id/tasks/:task/reject')
  @HttpCode(200)
  @RequireRole('operator')
  @Audited('task.reject')
  @ApiOperation({ summary: 'Reject a waiting approval step (the task fails, not retried)' })
  async reject(@Param('id') id: string, @Param('task') task: string, @Body() body: unknown, @CallerAccess() access: Access) {
    return taskView(await this.decideApproval.execute((await this.visibleRun(id, access)).id, task, false, body));
  }

  /** A run of another namespace answers exactly as a run that does not exist. */
  private async visibleRun(id: string, access: Access): Promise<RunRow> {
    const run = await this.runs.find(this.dataSource, runIdParam(id));
    if (!run) throw new NotFound(`run ${id} not found`);
    access.assertVisible(run.namespace, `run ${id} not found`);
    return run;
  }
}
