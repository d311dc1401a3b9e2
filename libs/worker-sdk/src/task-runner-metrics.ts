import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { TASK_SECONDS_BUCKETS } from '@flowctl/observability';

export type AttemptOutcome = 'succeeded' | 'failed';

/**
 * What a worker measures of the attempts it runs, in memory: no query, no
 * round trip. Queue wait is the job's enqueue time to the handler's start.
 */
export class TaskRunnerMetrics {
  private readonly duration: Histogram<'type' | 'outcome'>;
  private readonly queueWait: Histogram<'type'>;
  private readonly attempts: Counter<'type' | 'outcome'>;
  private readonly running: Gauge<'type'>;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'flowctl_task_duration_seconds',
      help: 'Time an attempt ran on this worker, from handler start to outcome, by task type and outcome.',
      labelNames: ['type', 'outcome'],
      buckets: TASK_SECONDS_BUCKETS,
      registers: [registry],
    });
    this.queueWait = new Histogram({
      name: 'flowctl_task_queue_wait_seconds',
      help: 'Time an attempt waited on its queue, from enqueue to start on this worker, by task type.',
      labelNames: ['type'],
      buckets: TASK_SECONDS_BUCKETS,
      registers: [registry],
    });
    this.attempts = new Counter({
      name: 'flowctl_worker_attempts_total',
      help: 'Attempts this worker finished, by task type and outcome.',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    });
    this.running = new Gauge({
      name: 'flowctl_worker_tasks_running',
      help: 'Attempts running on this worker now, by task type.',
      labelNames: ['type'],
      registers: [registry],
    });
  }

  started(type: string, enqueuedAtMs: number | undefined, nowMs: number): void {
    if (enqueuedAtMs !== undefined && enqueuedAtMs > 0) this.queueWait.observe({ type }, Math.max(0, nowMs - enqueuedAtMs) / 1000);
    this.running.inc({ type });
  }

  finished(type: string, outcome: AttemptOutcome, seconds: number): void {
    this.running.dec({ type });
    this.duration.observe({ type, outcome }, seconds);
    this.attempts.inc({ type, outcome });
  }
}
