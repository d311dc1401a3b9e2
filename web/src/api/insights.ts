import type { Insights, InsightsQuery } from '@flowctl/api-contract';
import { api, type ApiClient } from './client';

// The shapes are the API contract's: one definition for the server, the client and this page.
export type {
  CountPoint,
  Insights,
  InsightsQuery,
  Percentiles,
  QueueWait,
  RetriedTask,
  RunOutcomes,
  RunOutcomesPoint,
  SlowTask,
  ThroughputPoint,
  WorkflowOutcomes,
} from '@flowctl/api-contract';

export function getInsights(query: InsightsQuery, signal?: AbortSignal, client: ApiClient = api): Promise<Insights> {
  return client.getInsights(query, signal);
}
