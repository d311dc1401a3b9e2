import type { ResultMessage } from '@flowctl/queue';

/** A worker's success report for a task run, as a test sends it by hand. */
export const succeededReport = (taskRunId: string): ResultMessage => ({
  kind: 'succeeded',
  runId: '018f0000-0000-7000-8000-000000000000',
  taskRunId,
  attempt: 1,
  workerId: 'w1',
  output: null,
  startedAt: new Date().toISOString(),
  at: new Date().toISOString(),
});
