import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { RUN_ENDS_CHANNEL, type RunEndStatus } from '@flowctl/core';
import { getLogger } from '@flowctl/observability';
import { RunEndOutboxRepository, RunRepository, TaskRunRepository, type EndedRun } from '@flowctl/persistence';
import { NotificationListener } from '@flowctl/queue';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../../config/scheduler-config';
import { TransactionRunner } from '../../engine/transaction-runner';
import { WorkflowCatalog } from '../../engine/workflow-catalog';
import { ReceiveEventUseCase } from '../receive-event/receive-event.use-case';
import { TriggerListeners } from '../receive-event/trigger-listeners';

const BATCH = 100;
/** After a failure (the database away), the outbox is tried again this much later, or at the next run end. */
const RETRY_AFTER_MS = 5_000;

/**
 * Drains the run-end outbox: each ended run becomes an event (source
 * workflowRun, id the ended run's id, data `{runId, workflow, status,
 * outputs}`) for the workflows whose workflowRun trigger waits for that
 * workflow and status. The event id is the runs' idempotency key, so two
 * schedulers draining the same row, or a crash before its delete, start
 * nothing twice. Woken by the NOTIFY of each commit that added rows (on any
 * scheduler), and at start-up and after a lost LISTEN connection for rows
 * written while nobody listened.
 */
@Injectable()
export class StartRunsAfterRunUseCase implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = getLogger(StartRunsAfterRunUseCase.name);
  private draining?: Promise<void>;
  private again = false;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  private readonly listener: NotificationListener;

  constructor(
    @Inject(SCHEDULER_CONFIG) config: SchedulerConfig,
    private readonly transactions: TransactionRunner,
    private readonly outbox: RunEndOutboxRepository,
    private readonly runs: RunRepository,
    private readonly taskRuns: TaskRunRepository,
    private readonly catalog: WorkflowCatalog,
    private readonly listeners: TriggerListeners,
    private readonly receiveEvent: ReceiveEventUseCase,
  ) {
    this.listener = new NotificationListener(config.databaseUrl, RUN_ENDS_CHANNEL, () => this.wake());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listener.start();
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.listener.stop();
    await this.draining;
  }

  /** Single flight: a wake during a drain makes it go round once more. */
  wake(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Resolves once every row waiting now is handled (tests and shutdown wait on it). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const rows = await this.outbox.waiting(this.transactions.db, BATCH);
        for (const row of rows) await this.startAfter(row);
        if (rows.length < BATCH || this.stopped) return;
      }
    } catch (error) {
      this.logger.error({ err: error }, `run-end outbox: ${(error as Error).message}; trying again in ${RETRY_AFTER_MS} ms`);
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.wake(), RETRY_AFTER_MS).unref();
    }
  }

  private async startAfter(ended: EndedRun): Promise<void> {
    const db = this.transactions.db;
    const listeners = (await this.listeners.of(ended.namespace, 'workflowRun', ended.workflowName)).filter(
      ({ trigger }) => 'workflowRun' in trigger && trigger.workflowRun.status.includes(ended.status as RunEndStatus),
    );
    if (listeners.length > 0) {
      const data = { runId: ended.runId, workflow: ended.workflowName, status: ended.status, outputs: await this.outputsOf(ended.runId) };
      await this.receiveEvent.execute(
        { namespace: ended.namespace, name: ended.workflowName, id: ended.runId, data, source: 'workflowRun' },
        listeners,
      );
    }
    await this.outbox.remove(db, ended.runId);
  }

  /** A run's outputs, as a `workflow` task gives its child's: the outputs of its tasks that nothing depends on. */
  private async outputsOf(runId: string): Promise<Record<string, unknown>> {
    const db = this.transactions.db;
    const run = await this.runs.find(db, runId);
    if (!run) return {};
    const workflow = await this.catalog.byVersionId(db, run.workflowVersionId);
    const leaves = workflow.definition.spec.tasks.filter((task) => workflow.dependentsOf(task.name).length === 0).map((task) => task.name);
    const outputs: Record<string, unknown> = {};
    for (const row of await this.taskRuns.outputs(db, runId, leaves)) outputs[row.name] = row.output;
    return outputs;
  }
}
