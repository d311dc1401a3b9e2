import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ClusterRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';
import { ClusterWide, RequireRole } from '../auth/auth-metadata';
import { LEADER_LEASE } from '../duties/leader-lease';
import { decodeCursor, page, parseLimit } from './cursor';
import { workerView } from './views';

const isIdCursor = (value: unknown): value is { id: string } =>
  typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string';

@ApiTags('cluster')
@Controller()
@RequireRole('viewer')
@ClusterWide()
export class ClusterController {
  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly dataSource: DataSource,
    private readonly cluster: ClusterRepository,
  ) {}

  @Get('workers')
  @ApiOperation({ summary: 'Registered workers: types, concurrency, last heartbeat, status (active | draining | lost)' })
  async workers(@Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    const size = parseLimit(limit, 100);
    const rows = await this.cluster.listWorkers(this.dataSource, { afterId: decodeCursor(cursor, isIdCursor)?.id, limit: size + 1 });
    const result = page(rows, size, (last) => ({ id: last.id }));
    return { ...result, items: result.items.map((worker) => workerView(worker, Date.now(), this.config.workerLostAfterMs)) };
  }

  @Get('cluster')
  @ApiOperation({ summary: 'Scheduler instances and the current leader' })
  async schedulers() {
    const lease = await this.cluster.currentLease(this.dataSource, LEADER_LEASE);
    const schedulers = await this.cluster.listSchedulers(this.dataSource, this.config.leaseTtlMs * 3);
    return {
      leader: lease?.holder ?? null,
      schedulers: schedulers.map((s) => ({
        id: s.id,
        host: s.host,
        leader: s.id === lease?.holder,
        startedAt: s.startedAt,
        lastSeenAt: s.lastSeenAt,
      })),
    };
  }
}
