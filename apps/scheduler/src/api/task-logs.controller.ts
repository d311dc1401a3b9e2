import { Controller, Get, Headers, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InvalidInput, NotFound } from '@flowctl/core';
import { RunRepository, TaskLogRepository, TaskRunRepository, type TaskRunRow } from '@flowctl/persistence';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import type { Access } from '../auth/access';
import { AcceptsQueryToken, CallerAccess, RequireRole } from '../auth/auth-metadata';
import { parseLimit } from './cursor';
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
@ApiTags('runs')
@Controller('runs')
@RequireRole('viewer')
export class TaskLogsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunRepository,
    private readonly taskRuns: TaskRunRepository,
    private readonly taskLogs: TaskLogRepository,
    private readonly taskLogFeed: TaskLogFeed,
    private readonly runFeed: RunChangeFeed,
  ) {}

  @Get(':id/tasks/:name/logs')
  @ApiOperation({
    summary:
      'Log lines of one attempt (default: the latest), oldest first: {items: [{seq, ts, level, stream, message}], nextCursor}; `after` takes a seq or a nextCursor',
  })
  async page(
    @Param('id') id: string,
    @Param('name') name: string,
    @CallerAccess() access: Access,
    @Query('attempt') attempt?: string,
    @Query('after') after?: string,
    @Query('limit') limit?: string,
  ) {
    const task = await this.findTask(id, name, access);
    const size = parseLimit(limit, 1_000, 10_000);
    const wanted = this.attemptOf(task, attempt);
    if (wanted === 0) return { items: [], nextCursor: null };
    const rows = await this.taskLogs.page(this.dataSource, task.id, wanted, seqParam('after', after), size + 1);
    const items = rows.slice(0, size).map(logLineView);
    return { items, nextCursor: rows.length > size ? String(items[items.length - 1]!.seq) : null };
  }

  @Get(':id/tasks/:name/logs/stream')
  @AcceptsQueryToken()
  @ApiOperation({
    summary:
      "SSE of one attempt's log (default: the latest): `message` events (id = seq, data = a line as in the page), then `end` once the attempt is over and every line is sent; resumes after Last-Event-ID",
  })
  async stream(
    @Param('id') id: string,
    @Param('name') name: string,
    @Req() request: Request,
    @Res() response: Response,
    @CallerAccess() access: Access,
    @Query('attempt') attempt?: string,
    @Headers('last-event-id') lastEventHeader?: string,
    @Query('lastEventId') lastEventQuery?: string,
  ): Promise<void> {
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
