import { Injectable } from '@nestjs/common';
import { parseWorkflowSource, validateWorkflow } from '@flowctl/core';
import { WorkflowRepository, type ApplyResult } from '@flowctl/persistence';
import { TransactionRunner } from '../../engine/transaction-runner';

export interface ApplyWorkflowResult {
  name: string;
  namespace: string;
  version: number;
  result: ApplyResult;
}

/** Validates fully before touching the database: an invalid document stores nothing. */
@Injectable()
export class ApplyWorkflowUseCase {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly workflows: WorkflowRepository,
  ) {}

  async execute(body: string | object): Promise<ApplyWorkflowResult> {
    const definition = typeof body === 'string' ? parseWorkflowSource(body) : validateWorkflow(body);
    const source = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
    const { version, result } = await this.transactions.run((tx) => this.workflows.apply(tx, definition, source));
    return { name: definition.metadata.name, namespace: definition.metadata.namespace, version, result };
  }
}
