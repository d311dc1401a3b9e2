import { Injectable } from '@nestjs/common';
import { SpanStatusCode } from '@opentelemetry/api';
import { getLogger, isTracingEnabled, tracer } from '@flowctl/observability';
import { RunRepository, type RunRow } from '@flowctl/persistence';
import { RunAdvancer } from '../../engine/run-advancer';
import { RunCreator, type NewRunCommand } from '../../engine/run-creator';
import { TaskDispatcher } from '../../engine/task-dispatcher';
import { TransactionRunner } from '../../engine/transaction-runner';
import { UnitOfWork } from '../../engine/unit-of-work';

export type StartRunCommand = Omit<NewRunCommand, 'parent'>;

/**
 * Creates a run and all its task rows in one transaction and queues the tasks
 * that depend on nothing. The same idempotency key returns the first run.
 */
@Injectable()
export class StartRunUseCase {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly runs: RunRepository,
    private readonly creator: RunCreator,
    private readonly advancer: RunAdvancer,
    private readonly dispatcher: TaskDispatcher,
  ) {}

  private readonly logger = getLogger(StartRunUseCase.name);

  async execute(command: StartRunCommand): Promise<{ run: RunRow; created: boolean }> {
    if (!isTracingEnabled()) return this.start(command);
    // The span is active while the root tasks are dispatched, so their jobs carry this trace.
    return tracer().startActiveSpan('run create', { attributes: { 'flowctl.workflow': command.workflow } }, async (span) => {
      try {
        const result = await this.start(command);
        span.setAttributes({ 'flowctl.run.id': result.run.id, 'flowctl.run.created': result.created });
        return result;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  private async start(command: StartRunCommand): Promise<{ run: RunRow; created: boolean }> {
    const { run, created, uow } = await this.transactions.run(async (tx) => {
      const uow = new UnitOfWork(tx);
      const { run, created, roots } = await this.creator.create(uow, command);
      if (!created) return { run, created, uow };
      await this.advancer.advance(uow, [], roots);
      await this.advancer.flush(uow);
      return { run, created, uow };
    });
    await this.dispatcher.dispatch(uow.dispatch);
    if (created) this.logger.info({ runId: run.id, workflow: run.workflowName, tasksQueued: uow.dispatch.length }, 'run started');
    // A run that already ended in its first transaction (every task skipped) is read back for its end time.
    const current = uow.runs.get(run.id)?.row ?? run;
    const ended = current.status !== 'running' && current.status !== 'pending';
    return { run: created && ended ? ((await this.runs.find(this.transactions.db, run.id)) ?? current) : current, created };
  }
}
