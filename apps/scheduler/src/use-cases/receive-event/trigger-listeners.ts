import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { WORKFLOWS_CHANNEL, triggerSourceOf, type InputDefinition, type TriggerDefinition, type TriggerKind } from '@flowctl/core';
import { getLogger } from '@flowctl/observability';
import { TriggerRepository } from '@flowctl/persistence';
import { NotificationListener } from '@flowctl/queue';
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

/** Sources remembered at most (each an event name, hook or workflow of a namespace, listened to or not). */
const MAX_CACHED_SOURCES = 10_000;

/**
 * The triggers listening to a source: the index says which workflows (one read),
 * their current versions (cached for good) say with which filters and inputs.
 * The answer is kept per source until a workflow of its namespace changes, which
 * every scheduler hears at that change's commit (WORKFLOWS_CHANNEL); an event then
 * costs no read at all. Without a live LISTEN nothing is kept, since a change
 * could go unheard.
 */
@Injectable()
export class TriggerListeners implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = getLogger(TriggerListeners.name);
  private readonly cache = new Map<string, Listener[]>();
  private readonly listener: NotificationListener;
  private listening = false;
  /** Bumped by every change heard: a read that began before a change must not be kept after it. */
  private generation = 0;

  constructor(
    @Inject(SCHEDULER_CONFIG) config: SchedulerConfig,
    private readonly transactions: TransactionRunner,
    private readonly triggers: TriggerRepository,
    private readonly catalog: WorkflowCatalog,
  ) {
    this.listener = new NotificationListener(
      config.databaseUrl,
      WORKFLOWS_CHANNEL,
      (namespace) => this.forget(namespace),
      () => this.forget(''),
      (connected) => this.listeningChanged(connected),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listener
      .start()
      .catch((error: Error) => this.logger.warn(`trigger changes not heard, listeners read per event: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener.stop();
  }

  async of(namespace: string, kind: TriggerKind, source: string): Promise<Listener[]> {
    const key = `${namespace}\u0000${kind}\u0000${source}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const generation = this.generation;
    const listeners = await this.read(namespace, kind, source);
    if (this.listening && generation === this.generation) {
      if (this.cache.size >= MAX_CACHED_SOURCES) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, listeners);
    }
    return listeners;
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

  /**
   * A workflow of the namespace changed through this scheduler: forgotten at once, so an event sent
   * right after the answer sees the change; other schedulers forget when the notification arrives.
   */
  workflowsChanged(namespace: string): void {
    this.forget(namespace);
  }

  /** A namespace's entries, or all of them (empty: a reconnect, after which anything may have changed). */
  private forget(namespace: string): void {
    this.generation += 1;
    if (namespace === '') return this.cache.clear();
    const prefix = `${namespace}\u0000`;
    for (const key of this.cache.keys()) if (key.startsWith(prefix)) this.cache.delete(key);
  }

  private listeningChanged(connected: boolean): void {
    this.listening = connected;
    if (!connected) this.forget('');
  }
}
