import { Controller, Param } from '@nestjs/common';
import type { BodyOf, QueryOf, ResponseOf } from '@flowctl/api-contract';
import { InvalidInput, NotFound } from '@flowctl/core';
import { EventRepository, RunEventRepository, RunRepository, TaskRunViewRepository, type RunRow } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import type { Access } from '../auth/access';
import { Audited, CallerAccess, RequireRole } from '../auth/auth-metadata';
import { CancelRunUseCase } from '../use-cases/cancel-run/cancel-run.use-case';
import { DecideApprovalUseCase } from '../use-cases/decide-approval/decide-approval.use-case';
import { RetryRunUseCase } from '../use-cases/retry-run/retry-run.use-case';
import { ContractBody, ContractQuery, Route } from './contract-route';
import { decodeCursor, encodeCursor, isBigintIdField, isTimestampField, isUuidField, page } from './cursor';
import { PromisedRuns } from './promised-runs';
import { runIdParam } from './request-params';
import { eventView, iso, runView, taskView } from './views';

const isRunCursor = (value: unknown): value is { createdAt: string; id: string } =>
  typeof value === 'object' &&
  value !== null &&
  isTimestampField((value as { createdAt?: unknown }).createdAt) &&
  isUuidField((value as { id?: unknown }).id);
const isIdCursor = (value: unknown): value is { id: string } =>
  typeof value === 'object' && value !== null && isBigintIdField((value as { id?: unknown }).id);

/**
 * Inputs and outputs stored larger than this (after PostgreSQL's compression) are not inline in a run's
 * page of tasks: `inputTruncated`/`outputTruncated` say so, and GET /runs/:id/tasks/:name has them whole.
 */
const INLINE_VALUE_BYTES = 16 * 1024;

@Controller()
export class RunsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunRepository,
    private readonly taskRuns: TaskRunViewRepository,
    private readonly events: RunEventRepository,
    private readonly receivedEvents: EventRepository,
    private readonly cancelRun: CancelRunUseCase,
    private readonly retryRun: RetryRunUseCase,
    private readonly decideApproval: DecideApprovalUseCase,
    private readonly promisedRuns: PromisedRuns,
  ) {}

  @Route('listRuns')
  @RequireRole('viewer')
  async list(@CallerAccess() access: Access, @ContractQuery() query: QueryOf<'listRuns'>): Promise<ResponseOf<'listRuns'>> {
    const size = query.limit;
    const rows = await this.runs.list(this.dataSource, {
      createdFrom: query.from,
      createdTo: query.to,
      namespaces: access.listFilter(query.namespace),
      workflow: query.workflow,
      status: query.status,
      before: decodeCursor(query.cursor, isRunCursor),
      limit: size + 1,
    });
    const result = page(rows, size, (last) => ({ createdAt: new Date(last.createdAt).toISOString(), id: last.id }));
    return { ...result, items: result.items.map(runView) };
  }

  @Route('getRun')
  @RequireRole('viewer')
  async get(
    @Param('id') id: string,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'getRun'>,
  ): Promise<ResponseOf<'getRun'>> {
    const run = await this.visibleRun(id, access);
    const size = query.tasksLimit;
    const after = decodeCursor(query.tasksCursor, isIdCursor);
    const [rows, event] = await Promise.all([
      this.taskRuns.forRun(this.dataSource, run.id, { afterId: after?.id, limit: size + 1, maxValueBytes: INLINE_VALUE_BYTES }),
      this.receivedEvents.ofRun(this.dataSource, run.id),
    ]);
    const tasks = rows.slice(0, size);
    return {
      ...runView(run),
      tasks: tasks.map(taskView),
      tasksNextCursor: rows.length > size ? encodeCursor({ id: tasks[tasks.length - 1]!.id }) : null,
      event: event ? { ...event, receivedAt: iso(event.receivedAt) } : null,
    };
  }

  @Route('listRunEvents')
  @RequireRole('viewer')
  async history(
    @Param('id') id: string,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'listRunEvents'>,
  ): Promise<ResponseOf<'listRunEvents'>> {
    const run = await this.visibleRun(id, access);
    const size = query.limit;
    const { before, cursor } = query;
    if (before !== undefined) {
      if (!isBigintIdField(before)) throw new InvalidInput('before must be an event id');
      const newestFirst = await this.events.latest(this.dataSource, run.id, { beforeId: before, limit: size + 1 });
      const items = newestFirst.slice(0, size).reverse();
      return { items: items.map(eventView), nextCursor: null, earlierBefore: newestFirst.length > size ? items[0]!.id : null };
    }
    const rows = await this.events.list(this.dataSource, run.id, { afterId: decodeCursor(cursor, isIdCursor)?.id, limit: size + 1 });
    const result = page(rows, size, (last) => ({ id: last.id }));
    return { ...result, items: result.items.map(eventView) };
  }

  @Route('cancelRun')
  @RequireRole('operator')
  @Audited('run.cancel')
  async cancel(@Param('id') id: string, @CallerAccess() access: Access): Promise<ResponseOf<'cancelRun'>> {
    return runView(await this.cancelRun.execute((await this.visibleRun(id, access)).id));
  }

  @Route('retryRun')
  @RequireRole('operator')
  @Audited('run.retry')
  async retry(@Param('id') id: string, @CallerAccess() access: Access): Promise<ResponseOf<'retryRun'>> {
    return runView(await this.retryRun.execute((await this.visibleRun(id, access)).id));
  }

  @Route('approveTask')
  @RequireRole('operator')
  @Audited('task.approve')
  async approve(
    @Param('id') id: string,
    @Param('name') task: string,
    @ContractBody() body: BodyOf<'approveTask'>,
    @CallerAccess() access: Access,
  ): Promise<ResponseOf<'approveTask'>> {
    return taskView(await this.decideApproval.execute((await this.visibleRun(id, access)).id, task, true, body ?? {}));
  }

  @Route('rejectTask')
  @RequireRole('operator')
  @Audited('task.reject')
  async reject(
    @Param('id') id: string,
    @Param('name') task: string,
    @ContractBody() body: BodyOf<'rejectTask'>,
    @CallerAccess() access: Access,
  ): Promise<ResponseOf<'rejectTask'>> {
    return taskView(await this.decideApproval.execute((await this.visibleRun(id, access)).id, task, false, body ?? {}));
  }

  /**
   * The run, if the caller may see it: one of another namespace answers exactly as a run that does not
   * exist. A run an event has promised and not yet started is waited for (PromisedRuns).
   */
  private async visibleRun(id: string, access: Access): Promise<RunRow> {
    const runId = runIdParam(id);
    const run = (await this.runs.find(this.dataSource, runId)) ?? (await this.promisedRuns.find(runId, access));
    if (!run) throw new NotFound(`run ${id} not found`);
    access.assertVisible(run.namespace, `run ${id} not found`);
    return run;
  }
}
