import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { QueueTransport, taskQueueName } from '@flowctl/queue';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';
import { LeaderLease } from './leader-lease';

/**
 * Per-type limits across all workers (FLOWCTL_TYPE_CONCURRENCY), enforced by
 * the queue itself: BullMQ's global concurrency caps how many jobs of a queue
 * are active at once, however many workers serve it. Set by the leader when
 * elected, so the configuration of the current leader is the one in force.
 */
@Injectable()
export class TypeConcurrencyDuty implements OnApplicationBootstrap {
  private readonly logger = new Logger(TypeConcurrencyDuty.name);

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly transport: QueueTransport,
    private readonly lease: LeaderLease,
  ) {}

  onApplicationBootstrap(): void {
    this.lease.onLeadershipChange({ elected: () => void this.apply(), deposed: () => undefined });
    if (this.lease.current) void this.apply();
  }

  private async apply(): Promise<void> {
    for (const [type, limit] of Object.entries(this.config.typeConcurrency)) {
      try {
        await this.transport.queue(taskQueueName(type)).setGlobalConcurrency(limit);
      } catch (error) {
        this.logger.error(`cannot set the concurrency of ${type} to ${limit}: ${(error as Error).message}`);
      }
    }
  }
}
