import { Injectable } from '@nestjs/common';
import { isTaskFailure, triggerDecision } from '@flowctl/core';
import { DeadLetterRepository, RunRepository, TaskRunRepository, type TaskRunRow } from '@flowctl/persistence';
import { RunAdvancer, type ReadyTask } from './run-advancer';
import type { SettledTask, UnitOfWork } from './unit-of-work';

/**
 * Gives failed tasks another go and reopens everything downstream of them that
 * did not succeed, so the run can finish. Tasks that succeeded keep their
 * output. Used by run retry and dead-letter requeue; both are rare operator
 * actions, so reading the run's task rows here is fine.
 */
@Injectable()
export class RunReopener {
  constructor(
    private readonly taskRuns: TaskRunRepository,
    private readonly runs: RunRepository,
    private readonly deadLetters: DeadLetterRepository,
    private readonly advancer: RunAdvancer,
  ) {}

  async reopen(uow: UnitOfWork, runId: string, tasks: readonly TaskRunRow[], seeds: readonly string[]): Promise<number> {
    const { row: run, workflow } = uow.run(runId);
    const byName = new Map(tasks.map((task) => [task.name, task]));
    const reopened = new Set<string>();
    const pending = [...seeds];
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (reopened.has(name)) continue;
      const task = byName.get(name);
      if (!task || task.status === 'succeeded') continue;
      reopened.add(name);
      pending.push(...workflow.dependentsOf(name));
    }
    if (reopened.size === 0) return 0;

    const counters = [...reopened].map((name) => {
      const task = byName.get(name)!;
      const counts = { succeeded: 0, failed: 0, skipped: 0 };
      for (const upstream of workflow.task(name).dependsOn) {
        if (reopened.has(upstream)) continue;
        const status = byName.get(upstream)!.status;
        if (status === 'succeeded') counts.succeeded += 1;
        else if (isTaskFailure(status)) counts.failed += 1;
        else counts.skipped += 1;
      }
      return { task, counts };
    });
    await this.taskRuns.reopen(
      uow.tx,
      counters.map(({ task, counts }) => ({ id: task.id, depsSucceeded: counts.succeeded, depsFailed: counts.failed, depsSkipped: counts.skipped })),
    );
    await this.deadLetters.closeForTasks(
      uow.tx,
      counters.filter(({ task }) => task.status === 'dead').map(({ task }) => task.id),
    );
    const failedBefore = counters.filter(({ task }) => isTaskFailure(task.status)).length;
    uow.countClosed(runId, -reopened.size, -failedBefore);
    if (run.status !== 'running') {
      await this.runs.setStatus(uow.tx, runId, 'running', { started: true });
      run.status = 'running';
    }

    const ready: ReadyTask[] = [];
    const skipped: SettledTask[] = [];
    for (const { task, counts } of counters) {
      const decision = triggerDecision(workflow.task(task.name).trigger, { total: task.depsTotal, ...counts });
      if (decision === 'ready') {
        // Attempt numbers continue across a requeue; the retry budget starts afresh.
        ready.push({
          runId,
          taskRunId: task.id,
          name: task.name,
          attempt: task.attempt + 1,
          budgetStart: task.attempt + 1,
          lastHeartbeatDetails: task.heartbeatDetails ?? undefined,
        });
      } else if (decision === 'skip') {
        skipped.push({ runId, taskRunId: task.id, name: task.name, status: 'skipped' });
      }
    }
    await this.advancer.skip(uow, skipped, 'upstream');
    await this.advancer.advance(uow, skipped, ready);
    return reopened.size;
  }
}
