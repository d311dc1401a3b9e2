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

/** A worker's registration, as a worker that then died would have sent it `agoMs` before now. */
export const workerRegistration = (id: string, types: string[], agoMs = 0, running = 0): ResultMessage => ({
  kind: 'worker',
  at: new Date(Date.now() - agoMs).toISOString(),
  worker: { id, host: 'gone', types, concurrency: 1, version: '0.1.0', status: 'active', running },
});
