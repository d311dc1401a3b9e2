import { Injectable } from '@nestjs/common';
import { decideFanOutEnd, renderTaskInput, type ExpressionScope, type TaskDefinition } from '@flowctl/core';
import {
  execute,
  FanOutInstanceRepository,
  RunEventRepository,
  TaskRunRepository,
  type FanOutInstances,
  type FanOutProgress,
} from '@flowctl/persistence';
import type { ReadyTask, SettledTask, UnitOfWork } from './unit-of-work';

/** Instances rendered and inserted per statement. */
const EXPANSION_SLICE = 5_000;

/**
 * `forEach`: a ready task expands into one task run per item (`name[i]`, with
 * `{{ item }}` and `{{ index }}` in `with`) and itself stays `running` until
 * every instance has ended. Each ended instance costs one counter increment on
 * its fan-out task; when the last one ends, the fan-out task succeeds with the
 * instances' outputs as one list in item order (or fails if any instance did),
 * and only then are its dependents released.
 */
@Injectable()
export class FanOut {
  constructor(
    private readonly taskRuns: TaskRunRepository,
    private readonly instances: FanOutInstanceRepository,
    private readonly events: RunEventRepository,
  ) {}

  /**
   * Expands a ready `forEach` task into the items its admission evaluated (see decideAdmission).
   * Returns the fan-out task itself as settled when its list is empty (nothing to wait for).
   */
  async expand(
    uow: UnitOfWork,
    task: ReadyTask,
    definition: TaskDefinition,
    items: readonly unknown[],
    scope: ExpressionScope,
  ): Promise<SettledTask | undefined> {
    const { row: run } = uow.run(task.runId);
    await this.instances.markFannedOut(uow.tx, [{ id: task.taskRunId, total: items.length, input: { items: items.length } }]);
    uow.event({ runId: task.runId, type: 'task_started', task: task.name, attempt: 1, details: { forEach: items.length } });
    if (items.length === 0) {
      await execute(uow.tx, this.taskRuns.markFinishedStatement([{ id: task.taskRunId, status: 'succeeded', output: [] }]));
      uow.event({ runId: task.runId, type: 'task_succeeded', task: task.name, attempt: 1, details: { instances: 0 } });
      uow.countClosed(task.runId, 1, 0);
      return { runId: task.runId, taskRunId: task.taskRunId, name: task.name, status: 'succeeded' };
    }

    // The history in order: what this transaction has said so far goes before the instances' own events.
    await uow.pending.flush(this.events.appendStatement(uow.events.splice(0)));
    const fanOut: FanOutInstances = {
      runId: task.runId,
      parentTaskRunId: task.taskRunId,
      name: task.name,
      type: definition.type,
      priority: definition.priority,
      timeoutMs: definition.timeout,
      heartbeatTimeoutMs: definition.heartbeatTimeout,
      scheduleToStartMs: definition.scheduleToStartTimeout,
    };
    // In slices, so neither the rendered inputs nor one statement's parameters grow with the list. An
    // item whose template fails fails the fan-out task with no instance left behind: the slices before
    // it are rolled back to the savepoint.
    const sliced = items.length > EXPANSION_SLICE;
    if (sliced) await uow.tx.query('SAVEPOINT fan_out');
    try {
      for (let start = 0; start < items.length; start += EXPANSION_SLICE) {
        const slice = items.slice(start, start + EXPANSION_SLICE).map((item, offset) => {
          const index = start + offset;
          const { input, secretSlots } = renderTaskInput(definition.type, definition.with, { ...scope, item, index });
          return { itemIndex: index, input, secretSlots };
        });
        await this.instances.insertQueuedInstances(uow.tx, fanOut, slice);
      }
    } catch (error) {
      if (sliced) await uow.tx.query('ROLLBACK TO SAVEPOINT fan_out');
      throw error;
    }
    if (sliced) await uow.tx.query('RELEASE SAVEPOINT fan_out');
    uow.countAdded(task.runId, items.length);
    uow.instancesDispatch.push({ run, parentTaskRunId: task.taskRunId, instances: items.length });
    if (definition.scheduleToStartTimeout !== undefined) uow.timersChanged = true;
    return undefined;
  }

  /** Counts ended instances against their fan-out tasks; returns the fan-out tasks that thereby ended. */
  async settleInstances(uow: UnitOfWork, instances: readonly SettledTask[]): Promise<SettledTask[]> {
    if (instances.length === 0) return [];
    const counts = new Map<string, { parentId: string; succeeded: number; failed: number }>();
    for (const instance of instances) {
      const parentId = instance.parentTaskRunId!;
      const count = counts.get(parentId) ?? { parentId, succeeded: 0, failed: 0 };
      if (instance.status === 'succeeded') count.succeeded += 1;
      else count.failed += 1;
      counts.set(parentId, count);
    }
    // Carries the instances' own outcomes, still waiting to be written: one statement for both.
    const progress = await uow.pending.updateTaskCounters<FanOutProgress>(this.instances.countInstancesStatement([...counts.values()])!);
    const ended: SettledTask[] = [];
    for (const parent of progress) {
      const end = decideFanOutEnd({ total: parent.instancesTotal, succeeded: parent.instancesSucceeded, failed: parent.instancesFailed });
      if (!end) continue;
      const event = { runId: parent.runId, task: parent.name, attempt: 1 };
      if (end.status === 'succeeded') {
        const output = await this.instances.instanceOutputs(uow.tx, parent.id);
        await execute(uow.tx, this.taskRuns.markFinishedStatement([{ id: parent.id, status: 'succeeded', output }]));
        uow.event({ ...event, type: 'task_succeeded', details: { instances: parent.instancesTotal } });
      } else {
        await execute(uow.tx, this.taskRuns.markFinishedStatement([{ id: parent.id, status: 'failed', error: end.error }]));
        uow.event({ ...event, type: 'task_failed', details: { error: end.error } });
      }
      uow.countClosed(parent.runId, 1, end.status === 'failed' ? 1 : 0);
      ended.push({ runId: parent.runId, taskRunId: parent.id, name: parent.name, status: end.status });
    }
    return ended;
  }
}
