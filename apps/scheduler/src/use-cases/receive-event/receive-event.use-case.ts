import { Injectable } from '@nestjs/common';
import { FlowctlError, inputsForEvent, resolveRunInputs } from '@flowctl/core';
import { getLogger } from '@flowctl/observability';
import {
  EventRepository,
  GroupCommit,
  uuidV7,
  type Accepted,
  type AuditEntry,
  type AcceptedEvent,
  type CommandOutcome,
  type EventRow,
  type EventSource,
  type EventStart,
} from '@flowctl/persistence';
import { EventMetrics } from '../../metrics/event-metrics';
import { TransactionRunner } from '../../engine/transaction-runner';
import { StartEventRunsUseCase } from '../start-event-runs/start-event-runs.use-case';
import { derivedEventId } from './event-id';
import type { Listener } from './trigger-listeners';

export interface EventDelivery {
  namespace: string;
  name: string;
  /** Absent: derived from name and data (see event-id.ts). */
  id?: string;
  data: unknown;
  source: EventSource;
  /** Who sent it through the API: the call is recorded in the audit log with the event. */
  sender?: Pick<AuditEntry, 'actor' | 'tokenId'>;
}

/** The audit log's name for sending an event. */
export const EVENT_EMIT = 'event.emit';

/** How long an accepted event's runs are this scheduler's to start before the leader takes them. */
const START_LEASE_MS = 30_000;

/**
 * Accepts an event: matches it against the listening triggers, checks each run's inputs, and stores it
 * with the runs it will start (each with its id, in the `event_starts` outbox) in one group-committed
 * statement; answers then, and starts the runs right after (StartEventRunsUseCase). A sender waits for
 * one insert, not for run creation, and a burst of events starts its runs in large groups. Once the
 * answer is given the runs are owed durably: a crash leaves the outbox rows, which the leader starts.
 * The event id is the runs' idempotency key and the event's key: a retry answers the stored event and
 * starts nothing (docs/adr/0020-events-accepted-then-started.md).
 */
@Injectable()
export class ReceiveEventUseCase {
  private readonly logger = getLogger(ReceiveEventUseCase.name);
  /** Events arriving together are stored together: one statement for a burst, not one per event. */
  private readonly accepts = new GroupCommit<AcceptedEvent, Accepted>((events) => this.acceptGroup(events), {
    maxGroupSize: 500,
    maxGroupsInFlight: 2,
  });

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly events: EventRepository,
    private readonly startRuns: StartEventRunsUseCase,
    private readonly metrics: EventMetrics,
  ) {}

  async execute(delivery: EventDelivery, listeners: readonly Listener[]): Promise<EventRow> {
    const { namespace, name, data, source } = delivery;
    const id = delivery.id ?? derivedEventId(name, data);
    this.metrics.eventReceived(source);

    // One run per workflow: its first trigger whose filter takes the event, with inputs its workflow accepts.
    const starts: EventStart[] = [];
    const refusals: string[] = [];
    const decided = new Set<string>();
    for (const { workflow, trigger, inputs: declared } of listeners) {
      if (decided.has(workflow)) continue;
      const inputs = inputsForEvent(trigger, { name, id, data }, { name: workflow, namespace });
      if (!inputs) continue;
      decided.add(workflow);
      try {
        resolveRunInputs(declared, inputs);
        starts.push({ runId: uuidV7(), workflow, inputs });
      } catch (error) {
        if (!(error instanceof FlowctlError)) throw error;
        refusals.push(`${workflow}: ${error.message}`);
      }
    }

    const outcome = starts.length > 0 ? 'matched' : refusals.length > 0 ? 'rejected' : 'unmatched';
    const reason = refusals.length > 0 ? refusals.join('; ') : null;
    const runs = starts.map(({ workflow, runId }) => ({ workflow, runId }));
    if (starts.length > 0) await this.startRuns.room();
    const audit: AuditEntry | undefined = delivery.sender && {
      ...delivery.sender,
      action: EVENT_EMIT,
      target: id,
      namespace,
      outcome: 'succeeded',
      statusCode: 200,
      message: null,
    };
    const { event, accepted } = await this.accepts.submit({
      namespace,
      id,
      name,
      source,
      data: data ?? null,
      outcome,
      reason,
      runs,
      starts,
      ...(audit ? { audit } : {}),
    });
    if (!accepted) return event; // a retry: the first delivery's answer, nothing new started
    this.startRuns.startSoon(starts.map((start) => ({ ...start, namespace, eventId: id })));
    if (runs.length > 0) this.metrics.eventMatched(source, runs.length);
    if (refusals.length > 0) {
      this.metrics.eventRejected(source, 'runs_refused');
      this.logger.warn({ namespace, event: name, eventId: id, refusals }, 'event could not start some runs');
    }
    return event;
  }

  /** A call refused before any trigger was asked (a bad signature): stored for the Events page, without its body. */
  async recordRejected(
    delivery: Omit<EventDelivery, 'data' | 'sender'> & { id: string },
    reason: string,
    metric: Parameters<EventMetrics['eventRejected']>[1],
  ): Promise<EventRow> {
    this.metrics.eventReceived(delivery.source);
    this.metrics.eventRejected(delivery.source, metric);
    const { event } = await this.accepts.submit({ ...delivery, data: null, outcome: 'rejected', reason, runs: [], starts: [] });
    return event;
  }

  /** One statement, on its own (no transaction to hold): a failure means none of it was stored, so each is tried again alone. */
  private async acceptGroup(events: readonly AcceptedEvent[]): Promise<CommandOutcome<Accepted>[]> {
    const answers = await this.events.accept(this.transactions.statements, events, START_LEASE_MS);
    return answers.map((value) => ({ value }));
  }
}
