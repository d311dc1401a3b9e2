import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from './metrics-registry';

/** Why an event or hook call started nothing; the label values of flowctl_events_rejected_total. */
export type EventRejection =
  | 'too_large'
  | 'malformed'
  | 'invalid'
  | 'unknown_hook'
  | 'signature_missing'
  | 'signature_bad'
  | 'signature_expired'
  | 'secret_unavailable'
  | 'runs_refused';

/** Events in, counted as they arrive (docs/events.md): received, matched (started a run), rejected by reason. */
@Injectable()
export class EventMetrics {
  private readonly received: Counter<'source'>;
  private readonly matched: Counter<'source'>;
  private readonly rejected: Counter<'source' | 'reason'>;
  private readonly runsStarted: Counter<'source'>;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.received = new Counter({
      name: 'flowctl_events_received_total',
      help: 'Events and hook calls received, by source (api, hook, workflowRun), refused ones included.',
      labelNames: ['source'],
      registers,
    });
    this.matched = new Counter({
      name: 'flowctl_events_matched_total',
      help: 'Events that started (or, on a retry, found) at least one run, by source.',
      labelNames: ['source'],
      registers,
    });
    this.rejected = new Counter({
      name: 'flowctl_events_rejected_total',
      help: 'Events and hook calls refused or that started nothing for a reason, by source and reason (too_large, malformed, invalid, unknown_hook, signature_missing, signature_bad, signature_expired, secret_unavailable, runs_refused).',
      labelNames: ['source', 'reason'],
      registers,
    });
    this.runsStarted = new Counter({
      name: 'flowctl_event_runs_total',
      help: 'Runs events asked for (new or found by the event id on a retry), by source.',
      labelNames: ['source'],
      registers,
    });
  }

  eventReceived(source: string): void {
    this.received.inc({ source });
  }

  eventMatched(source: string, runs: number): void {
    this.matched.inc({ source });
    this.runsStarted.inc({ source }, runs);
  }

  eventRejected(source: string, reason: EventRejection): void {
    this.rejected.inc({ source, reason });
  }
}
