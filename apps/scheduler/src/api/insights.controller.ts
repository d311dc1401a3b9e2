import { Controller } from '@nestjs/common';
import type { QueryOf, ResponseOf } from '@flowctl/api-contract';
import { InvalidInput } from '@flowctl/core';
import type { Access } from '../auth/access';
import { CallerAccess, RequireRole } from '../auth/auth-metadata';
import { insightsWindow } from '../use-cases/read-insights/insights-window';
import { ReadInsightsUseCase } from '../use-cases/read-insights/read-insights.use-case';
import { ContractQuery, Route } from './contract-route';

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

@Controller()
export class InsightsController {
  constructor(private readonly readInsights: ReadInsightsUseCase) {}

  @Route('getInsights')
  @RequireRole('viewer')
  async get(@CallerAccess() access: Access, @ContractQuery() query: QueryOf<'getInsights'>): Promise<ResponseOf<'getInsights'>> {
    const { since, until, workflow, namespace } = query;
    const window = insightsWindow(since, until, new Date());
    const namespaces = access.listFilter(namespace);
    return this.readInsights.execute({ window, namespaces, workflow: workflowFilter(workflow) });
  }
}

/** A filter, not a lookup: a name no workflow can have is a mistake to point out (400), not an empty answer. */
function workflowFilter(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 63 || !NAME.test(value))
    throw new InvalidInput(`workflow "${String(value)}" is not a valid workflow name`);
  return value;
}
