import { Injectable } from '@nestjs/common';
import { SCHEDULER_WORKER, timeoutFailure } from '@flowctl/core';
import { TaskRunTimerRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { ApplyAttemptsUseCase } from '../../use-cases/apply-attempts/apply-attempts.use-case';
import type { LeaderTimer } from './leader-timer';

const BATCH = 500;

/**
 * Ends attempts that passed a deadline of their state: never started within
 * scheduleToStartTimeout, silent past heartbeatTimeout, or running past
 * start-to-close when their worker is gone. Each becomes a failed attempt of
 * type `Timeout` (see timeoutFailure), through the same fail-attempt command a
 * worker's failure becomes, so the retry policy, dead letters and dependents
 * follow as for any failure; and a report that already landed makes the
 * timeout a no-op.
 */
@Injectable()
export class TaskTimeoutTimer implements LeaderTimer {
  readonly name = 'task timeouts';

  constructor(
    private readonly dataSource: DataSource,
    private readonly taskRuns: TaskRunTimerRepository,
    private readonly attempts: ApplyAttemptsUseCase,
  ) {}

  async fire(): Promise<boolean> {
    const overdue = await this.taskRuns.overdue(this.dataSource, BATCH);
    if (overdue.length === 0) return false;
    const now = Date.now();
    const at = new Date(now).toISOString();
    await this.attempts.failAttempts(
      overdue.map((task) => ({
        kind: 'fail',
        runId: task.runId,
        taskRunId: task.id,
        attempt: task.attempt,
        workerId: task.workerId ?? SCHEDULER_WORKER,
        startedAt: new Date(task.startedAt ?? task.queuedAt ?? now).toISOString(),
        at,
        error: timeoutFailure(task, now),
      })),
      new Map(overdue.map((task) => [task.id, task.type])),
    );
    return overdue.length >= BATCH;
  }

  nextDueAt(): Promise<Date | null> {
    return this.taskRuns.nextTimeoutAt(this.dataSource);
  }
}
