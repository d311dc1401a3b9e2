import { Controller, Inject } from '@nestjs/common';
import type { QueryOf, ResponseOf } from '@flowctl/api-contract';
import { ClusterRepository, LEADER_LEASE } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';
import { ClusterWide, RequireRole } from '../auth/auth-metadata';
import { ContractQuery, Route } from './contract-route';
import { decodeCursor, page } from './cursor';
import { iso, workerView } from './views';

const isIdCursor = (value: unknown): value is { id: string } =>
  typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string';

@Controller()
@RequireRole('viewer')
@ClusterWide()
export class ClusterController {
  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly dataSource: DataSource,
    private readonly cluster: ClusterRepository,
  ) {}

  @Route('listWorkers')
  async workers(@ContractQuery() query: QueryOf<'listWorkers'>): Promise<ResponseOf<'listWorkers'>> {
    const size = query.limit;
    const rows = await this.cluster.listWorkers(this.dataSource, { afterId: decodeCursor(query.cursor, isIdCursor)?.id, limit: size + 1 });
    const result = page(rows, size, (last) => ({ id: last.id }));
    return { ...result, items: result.items.map((worker) => workerView(worker, Date.now(), this.config.workerLostAfterMs)) };
  }

  @Route('getCluster')
  async schedulers(): Promise<ResponseOf<'getCluster'>> {
    const lease = await this.cluster.currentLease(this.dataSource, LEADER_LEASE);
    const schedulers = await this.cluster.listSchedulers(this.dataSource, this.config.leaseTtlMs * 3);
    return {
      leader: lease?.holder ?? null,
      schedulers: schedulers.map((s) => ({
        id: s.id,
        host: s.host,
        leader: s.id === lease?.holder,
        startedAt: iso(s.startedAt),
        lastSeenAt: iso(s.lastSeenAt),
      })),
    };
  }
}
