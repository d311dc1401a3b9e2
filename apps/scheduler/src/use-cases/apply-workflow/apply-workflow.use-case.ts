import { Injectable } from '@nestjs/common';
import { nextTick, parseWorkflowSource, validateWorkflow, TIMERS_CHANNEL } from '@flowctl/core';
import { ScheduleRepository, WorkflowRepository, type ApplyResult } from '@flowctl/persistence';
import { TransactionRunner } from '../../engine/transaction-runner';

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
      const planned = await this.workflows.planApply(this.transactions.db, definition);
      return { name: definition.metadata.name, namespace: definition.metadata.namespace, ...planned, dryRun: true };
    }
    const source = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
    const { namespace, name } = definition.metadata;
    const schedule = definition.spec.schedule;
    const { version, result } = await this.transactions.run(async (tx) => {
      const applied = await this.workflows.apply(tx, definition, source);
      if (schedule) {
        await this.schedules.upsert(tx, { namespace, name, ...schedule, nextFireAt: nextTick(schedule, new Date()) });
        await tx.query(`SELECT pg_notify('${TIMERS_CHANNEL}', '')`);
      } else {
        await this.schedules.delete(tx, namespace, name);
      }
      return applied;
    });
    return { name: definition.metadata.name, namespace: definition.metadata.namespace, version, result };
  }
}
