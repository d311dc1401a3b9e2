import { Injectable } from '@nestjs/common';
import { TaskRunTimerRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { ReleaseDueRetriesUseCase } from '../../use-cases/release-due-retries/release-due-retries.use-case';
import type { Leadership } from '../leader-lease';
import type { LeaderTimer } from './leader-timer';

const BATCH = 500;

/** Queues the next attempt of tasks whose backoff has elapsed. */
@Injectable()
export class RetryTimer implements LeaderTimer {
  readonly name = 'retries';

  constructor(
    private readonly dataSource: DataSource,
    private readonly taskRuns: TaskRunTimerRepository,
    private readonly releaseDueRetries: ReleaseDueRetriesUseCase,
  ) {}

  async fire(leadership: Leadership): Promise<boolean> {
    return (await this.releaseDueRetries.execute(leadership.holder, leadership.token, BATCH)) >= BATCH;
  }

  nextDueAt(): Promise<Date | null> {
    return this.taskRuns.nextRetryAt(this.dataSource);
  }
}
