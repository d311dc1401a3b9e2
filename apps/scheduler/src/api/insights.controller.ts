import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InvalidInput } from '@flowctl/core';
import type { Access } from '../auth/access';
import { CallerAccess, RequireRole } from '../auth/auth-metadata';
import { insightsWindow } from '../use-cases/read-insights/insights-window';
import { ReadInsightsUseCase } from '../use-cases/read-insights/read-insights.use-case';

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

@ApiTags('insights')
@Controller('insights')
export class InsightsController {
  constructor(private readonly readInsights: ReadInsightsUseCase) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({
    summary:
      'How workflows behaved over a window (since/until: ISO times or durations back from now such as 24h or 7d; default the last 24h): run outcomes and duration percentiles per workflow and overall, the slowest and most-retried tasks, task throughput, queue wait per task type and dead letters over time',
  })
  async get(
    @CallerAccess() access: Access,
    @Query('since') since?: string,
    @Query('until') until?: string,
    @Query('workflow') workflow?: string,
    @Query('namespace') namespace?: string,
  ) {
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
