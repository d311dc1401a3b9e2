import { Injectable } from '@nestjs/common';
import { triggerSourceOf, type TriggerDefinition, type TriggerKind } from '@flowctl/core';
import { TriggerRepository } from '@flowctl/persistence';
import { TransactionRunner } from '../../engine/transaction-runner';
import { WorkflowCatalog } from '../../engine/workflow-catalog';

/** One trigger of one workflow that listens to a source. */
export interface Listener {
  workflow: string;
  trigger: TriggerDefinition;
}

/**
 * The triggers listening to a source: the index says which workflows (one read),
 * their current versions (cached for good) say with which filters and inputs.
 */
@Injectable()
export class TriggerListeners {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly triggers: TriggerRepository,
    private readonly catalog: WorkflowCatalog,
  ) {}

  async of(namespace: string, kind: TriggerKind, source: string): Promise<Listener[]> {
    const db = this.transactions.db;
    const workflows = await this.triggers.listeners(db, namespace, kind, source);
    const listeners: Listener[] = [];
    for (const { name, versionId } of workflows) {
      const { definition } = await this.catalog.byVersionId(db, versionId);
      for (const trigger of definition.spec.on ?? []) {
        const listened = triggerSourceOf(trigger);
        if (listened.kind === kind && listened.name === source) listeners.push({ workflow: name, trigger });
      }
    }
    return listeners;
  }
}
