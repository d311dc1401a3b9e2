import { Body, Controller, Param, Res } from '@nestjs/common';
import type { ResponseOf } from '@flowctl/api-contract';
import { Route } from '../api/contract-route';
import type { Response } from 'express';
import type { Access } from '../auth/access';
import { CallerAccess, RequireRole } from '../auth/auth-metadata';
import { ALL_NAMESPACES } from '../auth/principal';
import { LeaseReports } from './lease-reports';
import { TaskLeaser } from './task-leaser';
import { parseComplete, parseFail, parseHeartbeat, parseLogs, parsePoll, parseReports } from './worker-requests';

/** The HTTP worker protocol: a worker in any language takes tasks and reports on them with only a URL and a token. */
@Controller()
@RequireRole('worker')
export class WorkerGatewayController {
  constructor(
    private readonly leaser: TaskLeaser,
    private readonly reports: LeaseReports,
  ) {}

  @Route('workerPoll')
  async poll(
    @Body() body: unknown,
    @CallerAccess() access: Access,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ResponseOf<'workerPoll'>> {
    const request = parsePoll(body);
    const gone = new AbortController();
    const onClose = () => {
      if (!response.writableFinished) gone.abort();
    };
    response.on('close', onClose);
    try {
      const namespaces = access.principal.namespaces === ALL_NAMESPACES ? 'all' : access.principal.namespaces;
      return { tasks: await this.leaser.poll(request, namespaces, gone.signal) };
    } finally {
      response.off('close', onClose);
    }
  }

  @Route('workerHeartbeat')
  async heartbeat(@Param('leaseId') leaseId: string, @Body() body: unknown, @CallerAccess() access: Access) {
    const request = parseHeartbeat(body);
    return this.reports.heartbeat(await this.reports.resolve(leaseId, access), request);
  }

  @Route('workerComplete')
  async complete(@Param('leaseId') leaseId: string, @Body() body: unknown, @CallerAccess() access: Access) {
    const request = parseComplete(body);
    return this.reports.complete(await this.reports.resolve(leaseId, access), request);
  }

  @Route('workerFail')
  async fail(@Param('leaseId') leaseId: string, @Body() body: unknown, @CallerAccess() access: Access) {
    const request = parseFail(body);
    return this.reports.fail(await this.reports.resolve(leaseId, access), request);
  }

  /** Several outcomes in one call: what a busy worker sends instead of one complete per task. */
  @Route('workerReports')
  async report(@Body() body: unknown, @CallerAccess() access: Access): Promise<ResponseOf<'workerReports'>> {
    return this.reports.report(parseReports(body), access);
  }

  @Route('workerLogs')
  async logs(@Param('leaseId') leaseId: string, @Body() body: unknown, @CallerAccess() access: Access) {
    const request = parseLogs(body);
    return this.reports.logs(await this.reports.resolve(leaseId, access), request);
  }
}
