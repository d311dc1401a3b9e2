import { Injectable } from '@nestjs/common';
import { RunEndOutboxRepository, type RunRow } from '@flowctl/persistence';
import type { UnitOfWork } from './unit-of-work';

/**
 * The engine's one call for workflowRun triggers (docs/events.md): the
 * transaction that ends runs also writes, for those some workflow waits for,
 * a row of the run-end outbox, so the fact outlives any crash after the
 * commit. Its NOTIFY wakes StartRunsAfterRunUseCase once the commit is done.
 */
@Injectable()
export class RunEndTriggers {
  constructor(private readonly outbox: RunEndOutboxRepository) {}

  async recordEnded(uow: UnitOfWork, finished: readonly RunRow[]): Promise<void> {
    await uow.pending.history(
      this.outbox.addStatement(
        finished.map((run) => ({ runId: run.id, namespace: run.namespace, workflowName: run.workflowName, status: run.status })),
      ),
    );
  }
}
