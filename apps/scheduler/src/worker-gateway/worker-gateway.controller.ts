import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Access } from '../auth/access';
import { CallerAccess, RequireRole } from '../auth/auth-metadata';
import { ALL_NAMESPACES } from '../auth/principal';
import { LeaseReports } from './lease-reports';
import { TaskLeaser, type LeasedTask } from './task-leaser';
import { parseComplete, parseFail, parseHeartbeat, parseLogs, parsePoll } from './worker-requests';

/** The HTTP worker protocol: a worker in any language takes tasks and reports on them with only a URL and a token. */
@ApiTags('workers')
@Controller('worker')
@RequireRole('worker')
export class WorkerGatewayController {
  constructor(
    private readonly leaser: TaskLeaser,
    private readonly reports: LeaseReports,
  ) {}

  @Post('poll')
  @HttpCode(200)
  @ApiOperation({ summary: 'Long poll for tasks {workerId, types, max?, waitMs?}: leases up to max tasks, or none after waitMs' })
  async poll(
    @Body() body: unknown,
    @CallerAccess() access: Access,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ tasks: LeasedTask[] }> {
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

  @Post('tasks/:leaseId/heartbeat')
  @HttpCode(200)
  @ApiOperation({ summary: 'Keep a leased attempt alive {details?}: {cancelRequested}; 409 when it is no longer current' })
  async heartbeat(@Param('leaseId') leaseId: string, @Body() body: unknown, @CallerAccess() access: Access) {
    const request = parseHeartbeat(body);
    return this.reports.heartbeat(await this.reports.resolve(leaseId, access), request);
  }

  @Post('tasks/:leaseId/complete')
  @HttpCode(200)
  @ApiOperation({ summary: 'The attempt succeeded {output}; repeating it is harmless' })
  async complete(@Param('leaseId') leaseId: string, @Body() body: unknown, @CallerAccess() access: Access) {
    const request = parseComplete(body);
    return this.reports.complete(await this.reports.resolve(leaseId, access), request);
  }

  @Post('tasks/:leaseId/fail')
  @HttpCode(200)
  @ApiOperation({ summary: 'The attempt failed {error: {type, message, stack?, nonRetryable?, details?}, details?}' })
  async fail(@Param('leaseId') leaseId: string, @Body() body: unknown, @CallerAccess() access: Access) {
    const request = parseFail(body);
    return this.reports.fail(await this.reports.resolve(leaseId, access), request);
  }

  @Post('tasks/:leaseId/logs')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log lines of the attempt {lines: [{ts?, level?, message, stream?}]}: {accepted}' })
  async logs(@Param('leaseId') leaseId: string, @Body() body: unknown, @CallerAccess() access: Access) {
    const request = parseLogs(body);
    return this.reports.logs(await this.reports.resolve(leaseId, access), request);
  }
}
