import { Controller, Headers, Param, Req, Res } from '@nestjs/common';
import type { QueryOf, ResponseOf } from '@flowctl/api-contract';
import { InvalidInput, NotFound } from '@flowctl/core';
import { RunRepository, TaskLogRepository, TaskRunViewRepository, type TaskRunRow } from '@flowctl/persistence';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import type { Access } from '../auth/access';
import { AcceptsQueryToken, CallerAccess, RequireRole } from '../auth/auth-metadata';
import { ContractQuery, Route } from './contract-route';
import { runIdParam } from './request-params';
import { RunChangeFeed } from './run-change-feed';
import { ServerSentEvents } from './server-sent-events';
import { TaskLogFeed } from './task-log-feed';
import { logLineView, TaskLogStream } from './task-log-stream';

const SEQ = /^\d{1,15}$/;

/** A log position: a seq this server sent (as an item's `seq`, a `nextCursor` or an event id), 0 for the start. */
function seqParam(name: string, value: unknown): number {
  if (value === undefined || value === '') return 0;
  if (typeof value !== 'string' || !SEQ.test(value)) throw new InvalidInput(`${name} must be a line's seq (a non-negative integer)`);
  return Number(value);
}

/**
 * The log of one attempt of a task (a forEach instance is addressed by its name, `task[3]`): a page
 * oldest first, or the live stream.
 */
@Controller()
@RequireRole('viewer')
export class TaskLogsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunRepository,
    private readonly taskRuns: TaskRunViewRepository,
    private readonly taskLogs: TaskLogRepository,
    private readonly taskLogFeed: TaskLogFeed,
    private readonly runFeed: RunChangeFeed,
  ) {}

  @Route('getTaskLogs')
  async page(
    @Param('id') id: string,
    @Param('name') name: string,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'getTaskLogs'>,
  ): Promise<ResponseOf<'getTaskLogs'>> {
    const { attempt, after, limit: size } = query;
    const task = await this.findTask(id, name, access);
    const wanted = this.attemptOf(task, attempt);
    if (wanted === 0) return { items: [], nextCursor: null };
    const rows = await this.taskLogs.page(this.dataSource, task.id, wanted, seqParam('after', after), size + 1);
    const items = rows.slice(0, size).map(logLineView);
    return { items, nextCursor: rows.length > size ? String(items[items.length - 1]!.seq) : null };
  }

  @Route('streamTaskLogs')
  @AcceptsQueryToken()
  async stream(
    @Param('id') id: string,
    @Param('name') name: string,
    @Req() request: Request,
    @Res() response: Response,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'streamTaskLogs'>,
    @Headers('last-event-id') lastEventHeader?: string,
  ): Promise<void> {
    const { attempt, lastEventId: lastEventQuery } = query;
    const task = await this.findTask(id, name, access);
    const wanted = this.attemptOf(task, attempt);
    const resumeAfter = seqParam('Last-Event-ID', lastEventHeader || lastEventQuery || undefined);
    const sse = new ServerSentEvents(request, response);
    this.runFeed.track(sse);
    if (this.runFeed.isShuttingDown) return sse.close();
    const stream = new TaskLogStream(
      { db: this.dataSource, taskLogs: this.taskLogs, taskRuns: this.taskRuns },
      task.id,
      wanted,
      attempt === undefined,
      sse,
      resumeAfter,
    );
    // Subscribed before the first read, so a batch stored meanwhile is not missed. The run's changes
    // tell the stream when the attempt ends; its log notifications, when lines arrive.
    const unsubscribeLogs = this.taskLogFeed.subscribe(task.id, () => stream.notify());
    const unsubscribeRun = this.runFeed.subscribeRun(task.runId, () => stream.notify());
    sse.onClose(() => {
      unsubscribeLogs();
      unsubscribeRun();
    });
    stream.notify();
  }

  private async findTask(id: string, name: string, access: Access): Promise<TaskRunRow> {
    const run = await this.runs.find(this.dataSource, runIdParam(id));
    if (!run) throw new NotFound(`run ${id} not found`);
    access.assertVisible(run.namespace, `run ${id} not found`);
    const task = await this.taskRuns.find(this.dataSource, run.id, name);
    if (!task) throw new NotFound(`run ${id} has no task "${name}"`);
    return task;
  }

  /** The attempt asked for, or the task's latest (0 before its first). */
  private attemptOf(task: TaskRunRow, attempt: string | undefined): number {
    if (attempt === undefined || attempt === '') return task.attempt;
    const wanted = Number(attempt);
    if (!/^\d{1,9}$/.test(attempt) || wanted < 1) throw new InvalidInput('attempt must be a positive integer');
    if (wanted > task.attempt) throw new NotFound(`task "${task.name}" has no attempt ${wanted} (it is at attempt ${task.attempt})`);
    return wanted;
  }
}
