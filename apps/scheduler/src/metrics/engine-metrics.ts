import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics-registry';

/** Lag of a worker's report, from the worker sending it to its transaction committing: 1 ms to 5 minutes. */
const LAG_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** A chain hop is three; a batch that ends runs, four; fan-out expansions and cascades, more. */
const ROUND_TRIP_BUCKETS = [1, 2, 3, 4, 5, 6, 8, 12, 20];

/**
 * Counters the engine keeps as it goes, in memory, after each commit: the
 * history of finished runs and tasks is counted here, never queried.
 */
@Injectable()
export class EngineMetrics {
  private readonly runsFinished: Counter<'status'>;
  private readonly taskResults: Counter<'type' | 'outcome'>;
  private readonly resultLag: Histogram;
  private readonly transactionRoundTrips: Histogram;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.runsFinished = new Counter({
      name: 'flowctl_runs_finished_total',
      help: 'Runs this scheduler finished, by final status (succeeded, failed, cancelled, timed_out).',
      labelNames: ['status'],
      registers,
    });
    this.taskResults = new Counter({
      name: 'flowctl_task_results_total',
      help: 'Worker outcomes this scheduler applied, by task type and the status they led to (succeeded, retrying, failed, dead).',
      labelNames: ['type', 'outcome'],
      registers,
    });
    this.resultLag = new Histogram({
      name: 'flowctl_result_apply_lag_seconds',
      help: 'Time from a worker sending a report to the scheduler committing it.',
      buckets: LAG_BUCKETS,
      registers,
    });
    this.transactionRoundTrips = new Histogram({
      name: 'flowctl_engine_transaction_round_trips',
      help: 'Round trips to PostgreSQL per committed engine transaction (BEGIN and COMMIT ride with statements).',
      buckets: ROUND_TRIP_BUCKETS,
      registers,
    });
  }

  transactionCommitted(roundTrips: number): void {
    this.transactionRoundTrips.observe(roundTrips);
  }

  runFinished(status: string): void {
    this.runsFinished.inc({ status });
  }

  taskResult(type: string, outcome: string): void {
    this.taskResults.inc({ type, outcome });
  }

  resultApplied(sentAt: string, nowMs: number): void {
    const sent = Date.parse(sentAt);
    if (Number.isFinite(sent)) this.resultLag.observe(Math.max(0, nowMs - sent) / 1000);
  }
}
