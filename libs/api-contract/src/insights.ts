import { z } from 'zod';

/** Percentiles in milliseconds; null when nothing ended in the window. */
export const Percentiles = z.strictObject({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() });

const outcomes = {
  started: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  timedOut: z.number().int(),
  cancelled: z.number().int(),
  durationMs: Percentiles,
};
export const RunOutcomes = z.strictObject(outcomes).meta({ id: 'RunOutcomes' });
export const WorkflowOutcomes = z
  .strictObject({ namespace: z.string(), workflow: z.string(), ...outcomes })
  .meta({ id: 'WorkflowOutcomes' });
export const RunOutcomesPoint = z.strictObject({
  at: z.string(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  timedOut: z.number().int(),
  cancelled: z.number().int(),
});
export const ThroughputPoint = z.strictObject({ at: z.string(), tasks: z.number().int(), perMinute: z.number() });
export const CountPoint = z.strictObject({ at: z.string(), count: z.number().int() });
export const SlowTask = z.strictObject({
  namespace: z.string(),
  workflow: z.string(),
  task: z.string(),
  type: z.string(),
  count: z.number().int(),
  p50Ms: z.number(),
  p95Ms: z.number(),
});
export const RetriedTask = z.strictObject({
  namespace: z.string(),
  workflow: z.string(),
  task: z.string(),
  type: z.string(),
  retries: z.number().int(),
  retriedRuns: z.number().int(),
});
export const QueueWait = z.strictObject({ type: z.string(), count: z.number().int(), p50Ms: z.number(), p95Ms: z.number() });

/** GET /insights: how workflows behaved over one window. */
export const Insights = z
  .strictObject({
    window: z.strictObject({ since: z.string(), until: z.string(), bucketSeconds: z.number().int() }),
    workflow: z.string().nullable(),
    runs: RunOutcomes,
    workflows: z.array(WorkflowOutcomes),
    runsOverTime: z.array(RunOutcomesPoint),
    taskThroughput: z.array(ThroughputPoint),
    slowestTasks: z.array(SlowTask),
    mostRetriedTasks: z.array(RetriedTask),
    queueWait: z.array(QueueWait),
    deadLettersOverTime: z.array(CountPoint),
  })
  .meta({ id: 'Insights' });

/** Checked by the server's window rules (insights-window.ts), which name what is wrong. */
export const InsightsQuery = z.object({
  since: z.string().optional().meta({ description: 'An ISO time or a duration back from now (1h, 24h, 7d, 30d); default 24h' }),
  until: z.string().optional().meta({ description: 'An ISO time or a duration back from now; default now' }),
  workflow: z.string().optional().meta({ description: 'Only this workflow' }),
  namespace: z.string().optional(),
});

export type Percentiles = z.infer<typeof Percentiles>;
export type RunOutcomes = z.infer<typeof RunOutcomes>;
export type WorkflowOutcomes = z.infer<typeof WorkflowOutcomes>;
export type RunOutcomesPoint = z.infer<typeof RunOutcomesPoint>;
export type ThroughputPoint = z.infer<typeof ThroughputPoint>;
export type CountPoint = z.infer<typeof CountPoint>;
export type SlowTask = z.infer<typeof SlowTask>;
export type RetriedTask = z.infer<typeof RetriedTask>;
export type QueueWait = z.infer<typeof QueueWait>;
export type Insights = z.infer<typeof Insights>;
export type InsightsQuery = z.input<typeof InsightsQuery>;
