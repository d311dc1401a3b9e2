import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { parseResultMessage, QueueTransport, RESULTS_QUEUE, type ResultMessage } from '@flowctl/queue';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';
import { MicroBatcher } from '../engine/micro-batcher';
import { RecordResultsUseCase } from '../use-cases/record-results/record-results.use-case';

/**
 * A report held by a scheduler that dies is taken up by another once its lock
 * expires and a stalled check runs: BullMQ's 30 s defaults would stall the
 * report's run that long. Live consumers renew the lock every half duration,
 * so a short one costs a little Redis traffic, not false stalls; and a report
 * is retried after many stalls rather than failed (a failed report would leave
 * its task to time out).
 */
const REPORT_LOCK = { lockDuration: 5_000, stalledInterval: 5_000, maxStalledCount: 20 };

/**
 * Every scheduler consumes worker reports. Jobs are taken with high
 * concurrency and applied through a group-commit batcher, so a burst of N
 * results costs a handful of transactions, not N.
 */
@Injectable()
export class ResultsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ResultsConsumer.name);
  private readonly batcher: MicroBatcher<ResultMessage>;
  private worker?: ReturnType<QueueTransport['worker']>;

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly transport: QueueTransport,
    recordResults: RecordResultsUseCase,
  ) {
    this.batcher = new MicroBatcher((messages) => recordResults.execute(messages), config.resultBatchSize);
  }

  onApplicationBootstrap(): void {
    this.worker = this.transport.worker(
      RESULTS_QUEUE,
      async (job) => {
        const message = parseResultMessage(job.data);
        if (!message) {
          this.logger.warn(`dropped malformed result message ${job.id}`);
          return;
        }
        await this.batcher.submit(message);
      },
      { ...REPORT_LOCK, concurrency: this.config.resultBatchSize, removeOnComplete: { count: 1000 }, removeOnFail: { count: 10_000 } },
    );
    this.worker.on('error', (error: Error) => this.logger.error(`results consumer: ${error.message}`));
  }

  /** Stops taking reports (letting the batch in hand commit) before the connections close on application shutdown. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
