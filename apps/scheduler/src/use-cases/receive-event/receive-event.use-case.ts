import { Injectable } from '@nestjs/common';
import { FlowctlError, inputsForEvent } from '@flowctl/core';
import { getLogger } from '@flowctl/observability';
import {
  EventRepository,
  GroupCommit,
  type CommandOutcome,
  type EventRow,
  type EventRun,
  type EventSource,
  type NewEvent,
} from '@flowctl/persistence';
import { EventMetrics } from '../../metrics/event-metrics';
import { TransactionRunner } from '../../engine/transaction-runner';
import { StartRunUseCase, type StartAudit } from '../start-run/start-run.use-case';
import { derivedEventId } from './event-id';
import type { Listener } from './trigger-listeners';

export interface EventDelivery {
  namespace: string;
  name: string;
  /** Absent: derived from name and data (see event-id.ts). */
  id?: string;
  data: unknown;
  source: EventSource;
  audit?: Omit<StartAudit, 'namespace'>;
}

/** The idempotency key of the runs an event starts: one run per workflow per event id, whoever retries. */
export const eventIdempotencyKey = (eventId: string): string => `event:${eventId}`;

/**
 * Starts a run of every listening workflow whose trigger matches, then stores
 * the event with what it started. The runs go first: a crash between the two
 * leaves runs and no event, and the sender's retry (same id, so the same
 * idempotency keys) finds those runs and stores the event; the other order
 * would store an event that claims runs that never started.
 */
@Injectable()
export class ReceiveEventUseCase {
  private readonly logger = getLogger(ReceiveEventUseCase.name);
  /** Events arriving together are stored together: one statement for a burst, not one per event. */
  private readonly records = new GroupCommit<NewEvent, Date>((events) => this.recordGroup(events), {
    maxGroupSize: 200,
    maxGroupsInFlight: 2,
  });

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly events: EventRepository,
    private readonly startRun: StartRunUseCase,
    private readonly metrics: EventMetrics,
  ) {}

  async execute(delivery: EventDelivery, listeners: readonly Listener[]): Promise<EventRow> {
    const { namespace, name, data, source } = delivery;
    const id = delivery.id ?? derivedEventId(name, data);
    this.metrics.eventReceived(source);

    // One run per workflow: its first trigger whose filter takes the event.
    const starts = new Map<string, Record<string, unknown>>();
    for (const { workflow, trigger } of listeners) {
      if (starts.has(workflow)) continue;
      const inputs = inputsForEvent(trigger, { name, id, data }, { name: workflow, namespace });
      if (inputs) starts.set(workflow, inputs);
    }
    const results = await Promise.allSettled(
      [...starts].map(([workflow, inputs]) =>
        this.startRun.execute({
          namespace,
          workflow,
          inputs,
          idempotencyKey: eventIdempotencyKey(id),
          ...(delivery.audit ? { audit: { ...delivery.audit, namespace } } : {}),
        }),
      ),
    );
    const runs: EventRun[] = [];
    const refusals: string[] = [];
    [...starts.keys()].forEach((workflow, i) => {
      const result = results[i]!;
      if (result.status === 'fulfilled') runs.push({ workflow, runId: result.value.run.id });
      else if (result.reason instanceof FlowctlError) refusals.push(`${workflow}: ${result.reason.message}`);
      // Anything else may have half-happened: the caller gets a 500 and its retry (same id) completes it.
      else throw result.reason;
    });

    const outcome = runs.length > 0 ? 'matched' : refusals.length > 0 ? 'rejected' : 'unmatched';
    const reason = refusals.length > 0 ? refusals.join('; ') : null;
    const event: NewEvent = { namespace, id, name, source, data: data ?? null, outcome, reason, runs };
    const receivedAt = await this.records.submit(event);
    if (runs.length > 0) this.metrics.eventMatched(source, runs.length);
    if (refusals.length > 0) {
      this.metrics.eventRejected(source, 'runs_refused');
      this.logger.warn({ namespace, event: name, eventId: id, refusals }, 'event could not start some runs');
    }
    return { ...event, receivedAt };
  }

  /** A call refused before any trigger was asked (a bad signature): stored for the Events page, without its body. */
  async recordRejected(
    delivery: Omit<EventDelivery, 'data' | 'audit'> & { id: string },
    reason: string,
    metric: Parameters<EventMetrics['eventRejected']>[1],
  ): Promise<EventRow> {
    this.metrics.eventReceived(delivery.source);
    this.metrics.eventRejected(delivery.source, metric);
    const event: NewEvent = { ...delivery, data: null, outcome: 'rejected', reason, runs: [] };
    const receivedAt = await this.records.submit(event);
    return { ...event, receivedAt };
  }

  /** One statement, on its own (no transaction to hold): a failure means none of it was stored, so each is tried again alone. */
  private async recordGroup(events: readonly NewEvent[]): Promise<CommandOutcome<Date>[]> {
    const times = await this.events.recordMany(this.transactions.db, events);
    return times.map((value) => ({ value }));
  }
}
