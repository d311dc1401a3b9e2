import { Controller, Headers, Logger, Param, Req, Res } from '@nestjs/common';
import type { QueryOf } from '@flowctl/api-contract';
import { InvalidInput, NotFound } from '@flowctl/core';
import { RunEventRepository, RunRepository, TaskRunViewRepository } from '@flowctl/persistence';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { isBigintIdField } from './cursor';
import type { Access } from '../auth/access';
import { AcceptsQueryToken, CallerAccess, RequireRole } from '../auth/auth-metadata';
import { ContractQuery, Route } from './contract-route';
import { runIdParam } from './request-params';
import { RunChangeFeed } from './run-change-feed';
import { RunEventStream } from './run-event-stream';
import { ServerSentEvents } from './server-sent-events';
import { runView } from './views';

/**
 * Live views for the dashboard, as Server-Sent Events: one run with its events,
 * and the run-level changes of every run for the runs list.
 */
@Controller()
@RequireRole('viewer')
@AcceptsQueryToken()
export class RunStreamController {
  private readonly logger = new Logger(RunStreamController.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunRepository,
    private readonly taskRuns: TaskRunViewRepository,
    private readonly events: RunEventRepository,
    private readonly feed: RunChangeFeed,
  ) {}

  @Route('streamRun')
  async runStream(
    @Param('id') id: string,
    @Req() request: Request,
    @Res() response: Response,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'streamRun'>,
    @Headers('last-event-id') lastEventHeader?: string,
  ): Promise<void> {
    const run = await this.runs.find(this.dataSource, runIdParam(id));
    if (!run) throw new NotFound(`run ${id} not found`);
    access.assertVisible(run.namespace, `run ${id} not found`);
    const resumeAfter = lastEventHeader || query.lastEventId || undefined;
    if (resumeAfter !== undefined && !isBigintIdField(resumeAfter))
      throw new InvalidInput('Last-Event-ID must be an event id this server sent');

    const sse = this.open(request, response);
    const stream = new RunEventStream(
      { dataSource: this.dataSource, runs: this.runs, taskRuns: this.taskRuns, events: this.events },
      run.id,
      sse,
      resumeAfter,
    );
    // Subscribe before the first read: a change committed while the history is read is then not missed.
    const unsubscribe = this.feed.subscribeRun(run.id, () => stream.notify());
    sse.onClose(unsubscribe);
    await stream.start().catch((error: Error) => {
      // The client reconnects (EventSource does by itself); the reason must not vanish with the stream.
      this.logger.warn(`run ${run.id}: could not open its stream, closed it: ${error.message}`);
      sse.close();
    });
  }

  @Route('streamRuns')
  async runsStream(
    @Req() request: Request,
    @Res() response: Response,
    @CallerAccess() access: Access,
    @ContractQuery() query: QueryOf<'streamRuns'>,
  ): Promise<void> {
    const workflowName = query.workflow;
    const namespaces = access.listFilter(query.namespace);
    const sse = this.open(request, response);
    const unsubscribe = this.feed.subscribeSummaries((rows) => {
      if (rows === 'resync') return sse.send('resync', {});
      const items = rows.filter(
        (run) => (!workflowName || run.workflowName === workflowName) && (!namespaces || namespaces.includes(run.namespace)),
      );
      if (items.length > 0) sse.send('runs', { items: items.map(runView) });
    });
    sse.onClose(unsubscribe);
    sse.send('ready', {});
  }

  private open(request: Request, response: Response): ServerSentEvents {
    const sse = new ServerSentEvents(request, response);
    this.feed.track(sse);
    if (this.feed.isShuttingDown) sse.close();
    return sse;
  }
}
