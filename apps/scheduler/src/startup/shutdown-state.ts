import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';

/**
 * Whether this scheduler has begun to shut down (SIGTERM). Readiness answers
 * 503 from the first shutdown hook on, so a load balancer stops sending
 * requests; with FLOWCTL_SHUTDOWN_DRAIN set, the API keeps answering that long
 * (while the lease is already handed over) before the listener closes.
 */
@Injectable()
export class ShutdownState implements OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(ShutdownState.name);
  private draining = false;

  constructor(@Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig) {}

  get isShuttingDown(): boolean {
    return this.draining;
  }

  onModuleDestroy(): void {
    this.draining = true;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    if (this.config.shutdownDrainMs <= 0) return;
    this.logger.log(`not ready; draining requests for ${this.config.shutdownDrainMs}ms before closing the API`);
    await new Promise((resolve) => setTimeout(resolve, this.config.shutdownDrainMs));
  }
}
