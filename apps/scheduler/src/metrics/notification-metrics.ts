import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics-registry';

/** A webhook answers in milliseconds to the FLOWCTL_NOTIFY_TIMEOUT limit. */
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Run notifications (spec.notify) as the leader sends them. */
@Injectable()
export class NotificationMetrics {
  private readonly attempts: Counter<'outcome'>;
  private readonly duration: Histogram;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.attempts = new Counter({
      name: 'flowctl_notification_attempts_total',
      help: 'Attempts at notification deliveries, by what they led to: delivered (sent, 2xx), retried (another attempt follows), failed (given up).',
      labelNames: ['outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'flowctl_notification_attempt_duration_seconds',
      help: 'Time of one notification POST, from connecting to the answer (or the error).',
      buckets: DURATION_BUCKETS,
      registers,
    });
  }

  attempted(outcome: 'delivered' | 'retried' | 'failed', durationMs: number): void {
    this.attempts.inc({ outcome });
    this.duration.observe(durationMs / 1000);
  }
}
