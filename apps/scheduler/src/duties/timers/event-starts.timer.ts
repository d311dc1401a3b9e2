import { Injectable } from '@nestjs/common';
import { EventStartRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { StartEventRunsUseCase } from '../../use-cases/start-event-runs/start-event-runs.use-case';
import type { LeaderTimer } from './leader-timer';

const BATCH = 500;
/** A claimed row waits this long for its start before the next look takes it again. */
const CLAIM_MS = 60_000;

/**
 * Starts the runs accepted events still owe once their accepting scheduler's lease on them ran out:
 * that scheduler died, or could not reach the database, between answering the sender and starting.
 */
@Injectable()
export class EventStartsTimer implements LeaderTimer {
  readonly name = 'event starts';

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: EventStartRepository,
    private readonly startEventRuns: StartEventRunsUseCase,
  ) {}

  async fire(): Promise<boolean> {
    const owed = await this.outbox.claimDue(this.dataSource, BATCH, CLAIM_MS);
    if (owed.length > 0) await this.startEventRuns.start(owed);
    return owed.length === BATCH;
  }

  nextDueAt(): Promise<Date | null> {
    return this.outbox.nextDueAt(this.dataSource);
  }
}
