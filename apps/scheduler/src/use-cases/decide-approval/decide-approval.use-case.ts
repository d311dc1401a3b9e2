import { Injectable } from '@nestjs/common';
import { APPROVAL_TYPE, APPROVAL_WORKER, Conflict, InvalidInput, NotFound } from '@flowctl/core';
import { TaskRunViewRepository, type TaskRunRow } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { ApplyAttemptsUseCase } from '../apply-attempts/apply-attempts.use-case';

/**
 * An approval step has no worker: the decision arrives through the API and is
 * applied as the same complete- or fail-attempt command a worker's report
 * becomes, so dependents and the run's end follow the one path every task takes.
 */
@Injectable()
export class DecideApprovalUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly taskRuns: TaskRunViewRepository,
    private readonly attempts: ApplyAttemptsUseCase,
  ) {}

  async execute(runId: string, taskName: string, approved: boolean, body: unknown): Promise<TaskRunRow> {
    const decision = (body ?? {}) as { comment?: unknown; by?: unknown };
    if (typeof decision !== 'object' || Array.isArray(decision)) throw new InvalidInput('body must be a JSON object {comment?, by?}');
    const task = await this.taskRuns.find(this.dataSource, runId, taskName);
    if (!task) throw new NotFound(`run ${runId} has no task "${taskName}"`);
    if (task.type !== APPROVAL_TYPE) throw new Conflict(`task "${taskName}" is a ${task.type} task, not an approval step`);
    if (task.status !== 'running') throw new Conflict(`task "${taskName}" is ${task.status}, not waiting for approval`);
    const at = new Date().toISOString();
    const details = {
      comment: typeof decision.comment === 'string' ? decision.comment : undefined,
      by: typeof decision.by === 'string' ? decision.by : undefined,
    };
    const base = {
      runId: task.runId,
      taskRunId: task.id,
      attempt: task.attempt,
      workerId: APPROVAL_WORKER,
      startedAt: (task.startedAt ?? new Date()).toISOString(),
      at,
    };
    await this.attempts.execute([
      approved
        ? { kind: 'complete', ...base, output: { approved: true, decidedAt: at, ...details } }
        : {
            kind: 'fail',
            ...base,
            error: {
              type: 'Rejected',
              message: details.comment ? `rejected: ${details.comment}` : 'rejected',
              nonRetryable: true,
              details,
            },
          },
    ]);
    const after = await this.taskRuns.find(this.dataSource, runId, taskName);
    if (after?.status === 'running') throw new Conflict(`task "${taskName}" changed while deciding; try again`);
    return after!;
  }
}
