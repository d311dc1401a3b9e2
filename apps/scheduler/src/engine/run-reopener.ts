import { Injectable } from '@nestjs/common';
import { isTaskFailure, isTaskTerminal, triggerDecision, upstreamResultOf } from '@flowctl/core';
import {
  DeadLetterRepository,
  execute,
  FanOutInstanceRepository,
  RunRepository,
  TaskRunRepository,
  type TaskRunRow,
} from '@flowctl/persistence';
import { RunAdvancer } from './run-advancer';
import { dispatchOfRow, type ReadyTask, type SettledTask, type UnitOfWork } from './unit-of-work';

/**
 * Gives failed tasks another go and reopens everything downstream of them that
 * did not succeed, so the run can finish. Tasks that succeeded keep their
 * output. Used by run retry and dead-letter requeue; both are rare operator
 * actions, so reading the run's task rows here is fine.
 *
 * A forEach instance is retried in place (its input was rendered with its
 * item), and its fan-out task goes back to waiting for it.
 */
@Injectable()
export class RunReopener {
  constructor(
    private readonly taskRuns: TaskRunRepository,
    private readonly instances: FanOutInstanceRepository,
    private readonly runs: RunRepository,
    private readonly deadLetters: DeadLetterRepository,
    private readonly advancer: RunAdvancer,
  ) {}

  async reopen(uow: UnitOfWork, runId: string, tasks: readonly TaskRunRow[], seeds: readonly string[]): Promise<number> {
    const { row: run, workflow } = uow.run(runId);
    const byName = new Map(tasks.map((task) => [task.name, task]));
    const byId = new Map(tasks.map((task) => [task.id, task]));

    // Sort the seeds: instances retry in place; their fan-out tasks are revived, not reset.
    const instances = new Map<string, TaskRunRow>();
    const fanOuts = new Map<string, TaskRunRow>();
    const seedNames: string[] = [];
    for (const name of seeds) {
      const task = byName.get(name);
      if (!task) continue;
      if (task.parentTaskRunId) {
        instances.set(task.id, task);
        const parent = byId.get(task.parentTaskRunId);
        if (parent) fanOuts.set(parent.id, parent);
      } else if (task.instancesTotal !== null && task.status !== 'pending') {
        fanOuts.set(task.id, task);
        for (const instance of tasks) {
          if (instance.parentTaskRunId === task.id && isTaskTerminal(instance.status) && instance.status !== 'succeeded')
            instances.set(instance.id, instance);
        }
      } else {
        seedNames.push(name);
      }
    }

    // Downstream of every seed and revived fan-out task, whatever did not succeed is reopened.
    const revived = new Set([...fanOuts.values()].map((task) => task.name));
    const reopened = new Set<string>();
    const pending = [...seedNames, ...[...revived].flatMap((name) => workflow.dependentsOf(name))];
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (reopened.has(name) || revived.has(name)) continue;
      const task = byName.get(name);
      if (!task || task.status === 'succeeded') continue;
      reopened.add(name);
      pending.push(...workflow.dependentsOf(name));
    }
    if (reopened.size === 0 && instances.size === 0) return 0;

    await this.retryInstances(uow, runId, [...instances.values()], [...fanOuts.values()]);
    const notDone = new Set([...reopened, ...revived]);
    const counters = [...reopened].map((name) => {
      const task = byName.get(name)!;
      const counts = { succeeded: 0, failed: 0, skipped: 0 };
      for (const upstream of workflow.task(name).dependsOn) {
        if (notDone.has(upstream)) continue;
        counts[upstreamResultOf(byName.get(upstream)!.status)] += 1;
      }
      return { task, counts };
    });
    await this.taskRuns.reopen(
      uow.tx,
      counters.map(({ task, counts }) => ({
        id: task.id,
        depsSucceeded: counts.succeeded,
        depsFailed: counts.failed,
        depsSkipped: counts.skipped,
      })),
    );
    await this.deadLetters.closeForTasks(
      uow.tx,
      counters.filter(({ task }) => task.status === 'dead').map(({ task }) => task.id),
    );
    uow.countClosed(runId, -reopened.size, -counters.filter(({ task }) => isTaskFailure(task.status)).length);
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
    return reopened.size + instances.size;
  }

  private async retryInstances(uow: UnitOfWork, runId: string, instances: TaskRunRow[], fanOuts: TaskRunRow[]): Promise<void> {
    if (instances.length === 0) return;
    const { row: run } = uow.run(runId);
    const failedByParent = new Map<string, number>();
    for (const instance of instances) {
      if (isTaskFailure(instance.status))
        failedByParent.set(instance.parentTaskRunId!, (failedByParent.get(instance.parentTaskRunId!) ?? 0) + 1);
    }
    await this.instances.reviveFanOut(
      uow.tx,
      fanOuts.map((parent) => ({ id: parent.id, failedRetried: failedByParent.get(parent.id) ?? 0 })),
    );
    const terminalFanOuts = fanOuts.filter((parent) => isTaskTerminal(parent.status));
    uow.countClosed(runId, -terminalFanOuts.length, -terminalFanOuts.filter((parent) => isTaskFailure(parent.status)).length);

    await execute(
      uow.tx,
      this.taskRuns.markQueuedStatement(
        instances.map((instance) => ({
          id: instance.id,
          attempt: instance.attempt + 1,
          input: instance.input,
          budgetStart: instance.attempt + 1,
        })),
      ),
    );
    await this.deadLetters.closeForTasks(
      uow.tx,
      instances.filter((instance) => instance.status === 'dead').map((instance) => instance.id),
    );
    uow.countClosed(runId, -instances.length, -instances.filter((instance) => isTaskFailure(instance.status)).length);
    if (run.status !== 'running') {
      await this.runs.setStatus(uow.tx, runId, 'running', { started: true });
      run.status = 'running';
    }
    for (const instance of instances) {
      uow.event({ runId, type: 'task_queued', task: instance.name, attempt: instance.attempt + 1 });
      uow.dispatch.push(dispatchOfRow(run, instance, instance.attempt + 1));
    }
  }
}
