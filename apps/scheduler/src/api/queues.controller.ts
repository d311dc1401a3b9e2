import { Controller, Inject } from '@nestjs/common';
import type { QueueDepth, ResponseOf } from '@flowctl/api-contract';
import { ClusterRepository } from '@flowctl/persistence';
import { QueueTransport, taskQueueName } from '@flowctl/queue';
import { DataSource } from 'typeorm';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';
import { ClusterWide, RequireRole } from '../auth/auth-metadata';
import { Route } from './contract-route';
import { workerView } from './views';

/** The registry of workers is small (one row per worker process); this bounds the read all the same. */
const MAX_WORKERS = 1_000;

@Controller()
@RequireRole('viewer')
@ClusterWide()
export class QueuesController {
  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly dataSource: DataSource,
    private readonly cluster: ClusterRepository,
    private readonly transport: QueueTransport,
  ) {}

  @Route('listQueues')
  async list(): Promise<ResponseOf<'listQueues'>> {
    const workers = (await this.cluster.listWorkers(this.dataSource, { limit: MAX_WORKERS })).map((worker) =>
      workerView(worker, Date.now(), this.config.workerLostAfterMs),
    );
    // Queues starting with `_` are the engine's own (results, control), never a task type.
    const types = [...new Set(workers.flatMap((worker) => worker.types))].filter((type) => !type.startsWith('_')).sort();
    const items = await Promise.all(
      types.map(async (type): Promise<QueueDepth> => {
        const serving = workers.filter((worker) => worker.types.includes(type) && worker.status !== 'stopped' && worker.status !== 'lost');
        const base = { type, workers: serving.length };
        try {
          const counts = await this.transport
            .queue(taskQueueName(type))
            .getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
          return {
            ...base,
            waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
            active: counts.active ?? 0,
            delayed: counts.delayed ?? 0,
            failed: counts.failed ?? 0,
          };
        } catch (error) {
          return { ...base, waiting: 0, active: 0, delayed: 0, failed: 0, error: (error as Error).message };
        }
      }),
    );
    return { items, nextCursor: null };
  }
}
