import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { WORKFLOWS_CHANNEL, triggerSourceOf, type InputDefinition, type TriggerDefinition, type TriggerKind } from '@flowctl/core';
import { getLogger } from '@flowctl/observability';
import { TriggerRepository } from '@flowctl/persistence';
import { NotifiedCache } from '@flowctl/queue';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../../config/scheduler-config';
import { TransactionRunner } from '../../engine/transaction-runner';
import { WorkflowCatalog } from '../../engine/workflow-catalog';

/** One trigger of one workflow that listens to a source. */
export interface Listener {
  workflow: string;
  trigger: TriggerDefinition;
  /** The workflow's declared inputs, which a run's inputs are checked against when the event is accepted. */
  inputs: Record<string, InputDefinition>;
}

/**
 * The triggers listening to a source: the index says which workflows (one read),
 * their current versions (cached for good) say with which filters and inputs.
 * The answer is kept per source until a workflow of its namespace changes, which
 * every scheduler hears at that change's commit (WORKFLOWS_CHANNEL, ADR 20); an
 * event then costs no read at all.
 */
@Injectable()
export class TriggerListeners implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = getLogger(TriggerListeners.name);
  private readonly cache: NotifiedCache<Listener[]>;

  constructor(
    @Inject(SCHEDULER_CONFIG) config: SchedulerConfig,
    private readonly transactions: TransactionRunner,
    private readonly triggers: TriggerRepository,
    private readonly catalog: WorkflowCatalog,
  ) {
    this.cache = new NotifiedCache(config.databaseUrl, WORKFLOWS_CHANNEL, (namespace, key) => key.startsWith(`${namespace}\u0000`));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.cache
      .start()
      .catch((error: Error) => this.logger.warn(`trigger changes not heard, listeners read per event: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.cache.stop();
  }

  of(namespace: string, kind: TriggerKind, source: string): Promise<Listener[]> {
    return this.cache.get(`${namespace}\u0000${kind}\u0000${source}`, () => this.read(namespace, kind, source));
  }

  /**
   * A workflow of the namespace changed through this scheduler: forgotten at once, so an event sent
   * right after the answer sees the change; other schedulers forget when the notification arrives.
   */
  workflowsChanged(namespace: string): void {
    this.cache.forget(namespace);
  }

  private async read(namespace: string, kind: TriggerKind, source: string): Promise<Listener[]> {
    const db = this.transactions.db;
    const workflows = await this.triggers.listeners(db, namespace, kind, source);
    const listeners: Listener[] = [];
    for (const { name, versionId } of workflows) {
      const { definition } = await this.catalog.byVersionId(db, versionId);
      for (const trigger of definition.spec.on ?? []) {
        const listened = triggerSourceOf(trigger);
        if (listened.kind === kind && listened.name === source) listeners.push({ workflow: name, trigger, inputs: definition.spec.inputs });
      }
    }
    return listeners;
  }
}
