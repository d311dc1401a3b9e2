import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { QueueTransport, type ResultsSubscription } from '@flowctl/queue';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';
import { RecordResultsUseCase } from '../use-cases/record-results/record-results.use-case';

/**
 * Every scheduler consumes worker reports. They are taken in batches and each
 * batch is applied in one transaction, so a burst of N results costs a handful
 * of transactions, not N; a report is acknowledged only after its batch commits.
 */
@Injectable()
export class ResultsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ResultsConsumer.name);
  private subscription?: ResultsSubscription;

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly transport: QueueTransport,
    private readonly recordResults: RecordResultsUseCase,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.transport.results().consume(this.config.schedulerId, (messages) => this.recordResults.execute(messages), {
      batchSize: this.config.resultBatchSize,
      onError: (message) => this.logger.warn(message),
    });
  }

  /** Stops taking reports (letting the batch in hand commit) before the connections close on application shutdown. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }
}
