import { Controller, Get, Header, HttpException, HttpStatus } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { queryRows } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth-metadata';
import { LeaderLease } from '../duties/leader-lease';
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
  @Header('Content-Type', 'text/plain; version=0.0.4')
  @ApiOperation({ summary: 'Prometheus metrics' })
  async metrics(): Promise<string> {
    // Counts come from small indexed aggregates; the run table is never scanned for them.
    const runs = await queryRows<{ status: string; count: string }>(
      this.dataSource,
      `SELECT status, count(*) AS count FROM runs WHERE status IN ('pending', 'running') GROUP BY status`,
    );
    const tasks = await queryRows<{ status: string; count: string }>(
      this.dataSource,
      `SELECT status, count(*) AS count FROM task_runs WHERE status IN ('queued', 'running') GROUP BY status`,
    );
    const dead = await queryRows<{ count: string }>(
      this.dataSource,
      `SELECT count(*) AS count FROM dead_letters WHERE requeued_at IS NULL`,
    );
    const lines = [
      '# HELP flowctl_runs_active Runs not yet finished, by status.',
      '# TYPE flowctl_runs_active gauge',
      ...['pending', 'running'].map((s) => `flowctl_runs_active{status="${s}"} ${runs.find((r) => r.status === s)?.count ?? 0}`),
      '# HELP flowctl_tasks_in_flight Task runs on a queue or running, by status.',
      '# TYPE flowctl_tasks_in_flight gauge',
      ...['queued', 'running'].map((s) => `flowctl_tasks_in_flight{status="${s}"} ${tasks.find((r) => r.status === s)?.count ?? 0}`),
      '# HELP flowctl_dead_letters Open dead letters.',
      '# TYPE flowctl_dead_letters gauge',
      `flowctl_dead_letters ${dead[0]?.count ?? 0}`,
      '# HELP flowctl_scheduler_leader 1 if this scheduler holds the leader lease.',
      '# TYPE flowctl_scheduler_leader gauge',
      `flowctl_scheduler_leader ${this.lease.current ? 1 : 0}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}
