import { Injectable } from '@nestjs/common';
import {
  CycleDetected,
  findWorkflowRunCycle,
  nextTick,
  parseWorkflowSource,
  TIMERS_CHANNEL,
  triggerSourceOf,
  validateWorkflow,
  type WorkflowDefinition,
} from '@flowctl/core';
import { ScheduleRepository, TriggerRepository, WorkflowRepository, type ApplyResult, type Queryable } from '@flowctl/persistence';
import { TransactionRunner } from '../../engine/transaction-runner';
import { TriggerListeners } from '../receive-event/trigger-listeners';

export interface ApplyWorkflowResult {
  name: string;
  namespace: string;
  version: number;
  result: ApplyResult;
  /** Present on a dry run: what apply would have answered; nothing was stored. */
  dryRun?: true;
}

/** Validates fully before touching the database: an invalid document stores nothing. */
@Injectable()
export class ApplyWorkflowUseCase {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly workflows: WorkflowRepository,
    private readonly schedules: ScheduleRepository,
    private readonly triggers: TriggerRepository,
    private readonly listeners: TriggerListeners,
  ) {}

  /** `authorize` sees the document's namespace before anything is stored, and throws to refuse it. */
  async execute(
    body: string | object,
    authorize: (namespace: string) => void = () => {},
    options: { dryRun?: boolean } = {},
  ): Promise<ApplyWorkflowResult> {
    const definition = typeof body === 'string' ? parseWorkflowSource(body) : validateWorkflow(body);
    authorize(definition.metadata.namespace);
    if (options.dryRun) {
      await this.refuseTriggerCycle(this.transactions.db, definition);
      const planned = await this.workflows.planApply(this.transactions.db, definition);
      return { name: definition.metadata.name, namespace: definition.metadata.namespace, ...planned, dryRun: true };
    }
    const source = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
    const { namespace, name } = definition.metadata;
    const schedule = definition.spec.schedule;
    const { version, result } = await this.transactions.run(async (tx) => {
      const sources = (definition.spec.on ?? []).map(triggerSourceOf);
      if (sources.some((source) => source.kind === 'workflowRun')) {
        // Two applies that each add half of a loop must not both pass the check: one waits for the other.
        await tx.query(`SELECT pg_advisory_xact_lock(hashtext('flowctl-workflow-run-triggers:' || $1::text))`, [namespace]);
        await this.refuseTriggerCycle(tx, definition);
      }
      const applied = await this.workflows.apply(tx, definition, source);
      await this.triggers.replace(tx, namespace, name, sources);
      if (schedule) {
        await this.schedules.upsert(tx, { namespace, name, ...schedule, nextFireAt: nextTick(schedule, new Date()) });
        await tx.query(`SELECT pg_notify('${TIMERS_CHANNEL}', '')`);
      } else {
        await this.schedules.delete(tx, namespace, name);
      }
      return applied;
    });
    this.listeners.workflowsChanged(namespace);
    return { name: definition.metadata.name, namespace: definition.metadata.namespace, version, result };
  }

  /** workflowRun triggers that would loop (a ends -> b starts -> ... -> a starts) are refused: a 400 naming the loop. */
  private async refuseTriggerCycle(db: Queryable, definition: WorkflowDefinition): Promise<void> {
    const { namespace, name } = definition.metadata;
    const upstream = (definition.spec.on ?? []).flatMap((trigger) => ('workflowRun' in trigger ? [trigger.workflowRun.name] : []));
    if (upstream.length === 0) return;
    const graph = await this.triggers.workflowRunGraph(db, namespace);
    graph.set(name, upstream);
    const cycle = findWorkflowRunCycle(graph);
    if (cycle)
      throw new CycleDetected(
        cycle,
        `spec.on: workflowRun triggers would start runs in a loop: ${cycle.join(' -> ')} (in namespace "${namespace}")`,
      );
  }
}
