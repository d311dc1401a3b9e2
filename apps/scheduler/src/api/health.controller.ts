import { Controller, Get, HttpException, HttpStatus, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth-metadata';
import { LeaderLease } from '../duties/leader-lease';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { ShutdownState } from '../startup/shutdown-state';

/** A database that takes longer than this to answer SELECT 1 counts as not answering. */
const DATABASE_PROBE_TIMEOUT_MS = 2_000;

@ApiTags('health')
@Controller()
@Public()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly lease: LeaderLease,
    private readonly shutdown: ShutdownState,
    private readonly metricsRegistry: MetricsRegistry,
  ) {}

  @Get('healthz')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  healthz() {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOperation({ summary: 'Readiness: not shutting down, and the database answers' })
  async readyz() {
    if (this.shutdown.isShuttingDown) {
      throw new HttpException({ message: 'shutting down' }, HttpStatus.SERVICE_UNAVAILABLE);
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise(
          (_, reject) =>
            (timer = setTimeout(() => reject(new Error(`no answer within ${DATABASE_PROBE_TIMEOUT_MS}ms`)), DATABASE_PROBE_TIMEOUT_MS)),
        ),
      ]);
      return { status: 'ready', leader: this.lease.current !== undefined };
    } catch (error) {
      throw new HttpException({ message: `database unavailable: ${(error as Error).message}` }, HttpStatus.SERVICE_UNAVAILABLE);
    } finally {
      clearTimeout(timer);
    }
  }

  @Get('metrics')
  @ApiOperation({ summary: 'Prometheus metrics' })
  async metrics(@Res({ passthrough: true }) response: Response): Promise<string> {
    response.setHeader('Content-Type', this.metricsRegistry.registry.contentType);
    return this.metricsRegistry.registry.metrics();
  }
}
