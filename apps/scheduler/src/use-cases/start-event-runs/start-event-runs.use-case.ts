import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { FlowctlError } from '@flowctl/core';
import { getLogger } from '@flowctl/observability';
import { EventRepository, EventStartRepository, GroupCommit, type CommandOutcome, type OwedStart } from '@flowctl/persistence';
import { TransactionRunner } from '../../engine/transaction-runner';
import { StartRunUseCase } from '../start-run/start-run.use-case';
import { eventIdempotencyKey } from './event-idempotency-key';

/** Starts taken on and not yet done: past it, accepting events waits (backpressure, not an error). */
const MAX_OWED = 5_000;

/**
 * Starts the runs accepted events owe (the `event_starts` outbox), under the ids their answers gave and
 * with the event id as idempotency key: a start done twice (the leader taking over a row whose
 * scheduler seemed gone) finds the first run. Runs of many events share the start path's group commits.
 * A row is removed once its run exists or was refused; any other failure leaves it for the leader.
 */
@Injectable()
export class StartEventRunsUseCase implements OnApplicationShutdown {
  private readonly logger = getLogger(StartEventRunsUseCase.name);
  private owed = 0;
  private readonly roomWaiters: (() => void)[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** Rows of starts done together go in one DELETE. */
  private readonly removals = new GroupCommit<string, void>((runIds) => this.removeGroup(runIds), {
    maxGroupSize: 1_000,
    maxGroupsInFlight: 1,
  });

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly startRun: StartRunUseCase,
    private readonly events: EventRepository,
    private readonly outbox: EventStartRepository,
  ) {}

  /** Starts them in the background; the caller has answered its sender already. */
  startSoon(starts: readonly OwedStart[]): void {
    if (starts.length === 0) return;
    const started = this.start(starts).catch((error: Error) =>
      this.logger.error(
        { err: error, runs: starts.length },
        `runs owed by events not started yet; the leader starts them: ${error.message}`,
      ),
    );
    this.inFlight.add(started);
    void started.finally(() => this.inFlight.delete(started));
  }

  /** Resolves once fewer starts are owed than the bound. */
  async room(): Promise<void> {
    while (this.owed >= MAX_OWED) await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
  }

  async start(starts: readonly OwedStart[]): Promise<void> {
    this.owed += starts.length;
    try {
      const results = await Promise.allSettled(
        starts.map((start) =>
          this.startRun.execute({
            namespace: start.namespace,
            workflow: start.workflow,
            inputs: start.inputs,
            idempotencyKey: eventIdempotencyKey(start.eventId),
            runId: start.runId,
          }),
        ),
      );
      const done: string[] = [];
      for (const [i, result] of results.entries()) {
        const start = starts[i]!;
        if (result.status === 'fulfilled') {
          const actual = result.value.run.id;
          if (actual !== start.runId) await this.settle(start, actual, null);
          done.push(start.runId);
        } else if (result.reason instanceof FlowctlError) {
          await this.settle(start, null, `${start.workflow}: ${result.reason.message}`);
          done.push(start.runId);
        } else {
          this.logger.warn({ err: result.reason, runId: start.runId }, 'an owed run could not be started; the leader tries again');
        }
      }
      await Promise.all(done.map((runId) => this.removals.submit(runId)));
    } finally {
      this.owed -= starts.length;
      while (this.owed < MAX_OWED && this.roomWaiters.length > 0) this.roomWaiters.shift()!();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** The run differs from the promise: refused since the event was accepted, or started before under another id. */
  private async settle(start: OwedStart, actualRunId: string | null, reason: string | null): Promise<void> {
    if (reason)
      this.logger.warn(
        { namespace: start.namespace, eventId: start.eventId, reason },
        'an event could not start a run it was accepted for',
      );
    await this.events.settleRun(this.transactions.db, {
      namespace: start.namespace,
      eventId: start.eventId,
      runId: start.runId,
      actualRunId,
      reason,
    });
  }

  private async removeGroup(runIds: readonly string[]): Promise<CommandOutcome<void>[]> {
    await this.outbox.remove(this.transactions.statements, runIds);
    return runIds.map(() => ({ value: undefined }));
  }
}
