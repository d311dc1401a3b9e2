import { Injectable } from '@nestjs/common';
import { ClusterRepository, RunRepository, TaskLogRepository, LEADER_LEASE } from '@flowctl/persistence';
import { TransactionRunner } from '../../engine/transaction-runner';

export interface PruneBatch {
  /** Runs at most per transaction. */
  maxRuns: number;
  /** Task runs at most per transaction (a larger single run still goes whole). */
  maxTasks: number;
}

/**
 * Leader duty: deletes one batch of runs that finished before the cutoff,
 * with their task runs, events, dead letters and task logs. Fenced by the lease token,
 * so a deposed leader that wakes up late deletes nothing.
 */
@Injectable()
export class PruneFinishedRunsUseCase {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly runs: RunRepository,
    private readonly cluster: ClusterRepository,
    private readonly taskLogs: TaskLogRepository,
  ) {}

  /** Returns how many runs it deleted. */
  async execute(holder: string, token: string, finishedBefore: Date, batch: PruneBatch): Promise<number> {
    return this.transactions.run(async (tx) => {
      if (!(await this.cluster.holdsLease(tx, LEADER_LEASE, holder, token))) return 0;
      const ids = await this.runs.lockPrunable(tx, finishedBefore, batch.maxRuns, batch.maxTasks);
      // Task logs hang off no foreign key (see their migration): they go by run id, in the same transaction.
      await this.taskLogs.deleteOfRuns(tx, ids);
      return this.runs.deleteMany(tx, ids);
    });
  }
}
