import { Injectable, Logger } from '@nestjs/common';
import { FlowctlError } from '@flowctl/core';
import { RunRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { CancelRunUseCase } from '../../use-cases/cancel-run/cancel-run.use-case';
import type { LeaderTimer } from './leader-timer';

const BATCH = 100;

/** Ends runs that outlived spec.timeout: `timed_out`, their running tasks cancelled. */
@Injectable()
export class RunDeadlineTimer implements LeaderTimer {
  readonly name = 'run deadlines';
  private readonly logger = new Logger(RunDeadlineTimer.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunRepository,
    private readonly cancelRun: CancelRunUseCase,
  ) {}

  async fire(): Promise<boolean> {
    const overdue = await this.runs.overdue(this.dataSource, BATCH);
    for (const run of overdue) {
      try {
        await this.cancelRun.execute(run.id, { status: 'timed_out', reason: 'run exceeded its timeout' });
      } catch (error) {
        // Finished meanwhile (a Conflict): nothing to time out.
        if (!(error instanceof FlowctlError)) this.logger.error(`timing out run ${run.id}: ${(error as Error).message}`);
      }
    }
    return overdue.length >= BATCH;
  }

  nextDueAt(): Promise<Date | null> {
    return this.runs.nextDeadlineAt(this.dataSource);
  }
}
