import { api, type ApiClient } from './client';

/** Percentiles in milliseconds; null when nothing ended in the window. */
export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface RunOutcomes {
  started: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  cancelled: number;
  durationMs: Percentiles;
}

export interface WorkflowOutcomes extends RunOutcomes {
  namespace: string;
  workflow: string;
}

export interface RunOutcomesPoint {
  at: string;
  succeeded: number;
  failed: number;
  timedOut: number;
  cancelled: number;
}

export interface ThroughputPoint {
  at: string;
  tasks: number;
  perMinute: number;
}

export interface CountPoint {
  at: string;
  count: number;
}

export interface SlowTask {
  namespace: string;
  workflow: string;
  task: string;
  type: string;
  count: number;
  p50Ms: number;
  p95Ms: number;
}

export interface RetriedTask {
  namespace: string;
  workflow: string;
  task: string;
  type: string;
  retries: number;
  retriedRuns: number;
}

export interface QueueWait {
  type: string;
  count: number;
  p50Ms: number;
  p95Ms: number;
}

/** GET /api/v1/insights: how workflows behaved over one window. */
export interface Insights {
  window: { since: string; until: string; bucketSeconds: number };
  workflow: string | null;
  runs: RunOutcomes;
  workflows: WorkflowOutcomes[];
  runsOverTime: RunOutcomesPoint[];
  taskThroughput: ThroughputPoint[];
  slowestTasks: SlowTask[];
  mostRetriedTasks: RetriedTask[];
  queueWait: QueueWait[];
  deadLettersOverTime: CountPoint[];
}

export interface InsightsQuery {
  /** An ISO time or a duration back from now: `1h`, `24h`, `7d`, `30d`. */
  since?: string;
  until?: string;
  workflow?: string;
  namespace?: string;
}

export function getInsights(query: InsightsQuery, signal?: AbortSignal, client: ApiClient = api): Promise<Insights> {
  return client.request<Insights>('GET', '/insights', { query: { ...query }, signal });
}
