import { Controller, HttpException, HttpStatus, Res } from '@nestjs/common';
import type { ResponseOf } from '@flowctl/api-contract';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth-metadata';
import { LeaderLease } from '../duties/leader-lease';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { ShutdownState } from '../startup/shutdown-state';
import { Route } from './contract-route';

/** A database that takes longer than this to answer SELECT 1 counts as not answering. */
const DATABASE_PROBE_TIMEOUT_MS = 2_000;

@Controller()
@Public()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly lease: LeaderLease,
    private readonly shutdown: ShutdownState,
    private readonly metricsRegistry: MetricsRegistry,
  ) {}

  @Route('healthz')
  healthz(): ResponseOf<'healthz'> {
    return { status: 'ok' };
  }

  @Route('readyz')
  async readyz(): Promise<ResponseOf<'readyz'>> {
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

  @Route('metrics')
  async metrics(@Res({ passthrough: true }) response: Response): Promise<string> {
    response.setHeader('Content-Type', this.metricsRegistry.registry.contentType);
    return this.metricsRegistry.registry.metrics();
  }
}
