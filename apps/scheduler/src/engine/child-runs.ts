import { Injectable } from '@nestjs/common';
import { AdmissionFailed, CHILD_RUN_WORKER, decideChildRunEnd, FlowctlError, type Admission } from '@flowctl/core';
import { execute, TaskRunRepository, type RunRow } from '@flowctl/persistence';
import { RunCreator } from './run-creator';
import { RunLocker } from './run-locker';
import type { ReadyTask, SettledTask, UnitOfWork } from './unit-of-work';

/**
 * `type: workflow` tasks: the task starts a child run (in the same
 * transaction, linked both ways) and ends as the child ends, with the outputs
 * of the child's last tasks. Not retried as a whole: retries belong to the
 * child's own tasks, where the work is.
 */
@Injectable()
export class ChildRuns {
  constructor(
    private readonly creator: RunCreator,
    private readonly taskRuns: TaskRunRepository,
    private readonly locker: RunLocker,
  ) {}

  /** Starts the child of a ready `workflow` task; returns the child's first tasks to admit. */
  async start(uow: UnitOfWork, task: ReadyTask, admission: Extract<Admission, { kind: 'start-child' }>): Promise<ReadyTask[]> {
    const { workflow: name, inputs, input } = admission;
    const { row: parentRun } = uow.run(task.runId);
    let child;
    try {
      child = await this.creator.create(uow, {
        namespace: parentRun.namespace,
        workflow: name,
        inputs,
        idempotencyKey: `child:${task.taskRunId}:${task.attempt}`,
        parent: { runId: task.runId, taskRunId: task.taskRunId },
      });
    } catch (error) {
      if (error instanceof FlowctlError) throw new AdmissionFailed('ChildRunFailed', `cannot start workflow "${name}": ${error.message}`);
      throw error;
    }
    await execute(uow.tx, this.taskRuns.markQueuedStatement([{ id: task.taskRunId, attempt: task.attempt, input }]));
    uow.event({ runId: task.runId, type: 'task_queued', task: task.name, attempt: task.attempt });
    await execute(
      uow.tx,
      this.taskRuns.markRunningStatement([{ id: task.taskRunId, workerId: CHILD_RUN_WORKER, startedAt: new Date(), deadlineGraceMs: 0 }]),
    );
    if (uow.run(task.runId).workflow.task(task.name).timeout !== undefined) uow.timersChanged = true;
    uow.event({ runId: task.runId, type: 'task_started', task: task.name, attempt: task.attempt, details: { childRunId: child.run.id } });
    return child.roots;
  }

  /** Ends the `workflow` tasks whose child runs just ended; returns them as settled. */
  async finishParents(uow: UnitOfWork, finished: readonly RunRow[]): Promise<SettledTask[]> {
    const children = finished.filter((run) => run.parentTaskRunId && run.parentRunId);
    if (children.length === 0) return [];
    // Parents are locked after their children here: a deadlock with a parent-first transaction is
    // detected by PostgreSQL and the whole unit retried.
    await this.locker.lock(
      uow,
      children.map((run) => run.parentRunId!),
    );
    const parents = new Map(
      (
        await this.taskRuns.lock(
          uow.tx,
          children.map((run) => run.parentTaskRunId!),
        )
      ).map((row) => [row.id, row]),
    );
    const settled: SettledTask[] = [];
    for (const child of children) {
      const parent = parents.get(child.parentTaskRunId!);
      if (!parent || parent.status !== 'running' || parent.workerId !== CHILD_RUN_WORKER) continue;
      const event = { runId: parent.runId, task: parent.name, attempt: parent.attempt };
      const end = decideChildRunEnd(child);
      if (end.status === 'succeeded') {
        const output = { runId: child.id, status: child.status, outputs: await this.leafOutputs(uow, child) };
        await execute(uow.tx, this.taskRuns.markFinishedStatement([{ id: parent.id, status: 'succeeded', output }]));
        uow.event({ ...event, type: 'task_succeeded', details: { childRunId: child.id } });
      } else {
        await execute(uow.tx, this.taskRuns.markFinishedStatement([{ id: parent.id, status: 'failed', error: end.error }]));
        uow.event({ ...event, type: 'task_failed', details: { error: end.error } });
      }
      uow.countClosed(parent.runId, 1, end.status === 'failed' ? 1 : 0);
      settled.push({ runId: parent.runId, taskRunId: parent.id, name: parent.name, status: end.status });
    }
    return settled;
  }

  /** The child's result: the outputs of its tasks that nothing depends on. */
  private async leafOutputs(uow: UnitOfWork, child: RunRow): Promise<Record<string, unknown>> {
    const { workflow } = uow.run(child.id);
    const leaves = workflow.definition.spec.tasks.filter((task) => workflow.dependentsOf(task.name).length === 0).map((task) => task.name);
    const outputs: Record<string, unknown> = {};
    for (const row of await this.taskRuns.outputs(uow.tx, child.id, leaves)) outputs[row.name] = row.output;
    return outputs;
  }
}
