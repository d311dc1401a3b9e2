import { collectDefaultMetrics, Registry } from 'prom-client';

/** A process's own registry with Node's default metrics (CPU, memory, event loop lag, GC) under the flowctl_ prefix. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'flowctl_' });
  return registry;
}

/** Buckets for task durations and queue waits: 5 ms to 10 minutes. */
export const TASK_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
