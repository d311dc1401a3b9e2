import { Injectable } from '@nestjs/common';
import {
  admissionFailure,
  APPROVAL_WORKER,
  decideAdmission,
  decideRunEnd,
  triggerDecision,
  upstreamResultOf,
  type SecretSlot,
  type ExpressionScope,
  type TaskFailure,
  type TaskStatus,
  TIMERS_CHANNEL,
} from '@flowctl/core';
import {
  RunEventRepository,
  RunRepository,
  TaskRunRepository,
  DeadLetterRepository,
  type DependencyRelease,
  type ReleasedTask,
  type RunRow,
} from '@flowctl/persistence';
import type { OpenTasksDelta, ReadyTask, SettledTask, UnitOfWork } from './unit-of-work';
import { EngineMetrics } from '../metrics/engine-metrics';
import { ChildRuns } from './child-runs';
import { ConcurrencyGate } from './concurrency-gate';
import { FanOut } from './fan-out';
import { RunEndTriggers } from './run-end-triggers';
import { RunNotifications } from './run-notifications';

/**
 * Moves runs forward inside one transaction: releases the dependents of tasks
 * that just ended (O(1) per edge, through counters), queues or skips what
 * became ready, cascades skips, and closes runs whose last task ended.
 */
@Injectable()
export class RunAdvancer {
  constructor(
    private readonly taskRuns: TaskRunRepository,
    private readonly runs: RunRepository,
    private readonly events: RunEventRepository,
    private readonly deadLetters: DeadLetterRepository,
    private readonly fanOut: FanOut,
    private readonly concurrency: ConcurrencyGate,
    private readonly childRuns: ChildRuns,
    private readonly metrics: EngineMetrics,
    private readonly notifications: RunNotifications,
    private readonly runEndTriggers: RunEndTriggers,
  ) {}

  async advance(uow: UnitOfWork, settled: SettledTask[], ready: ReadyTask[] = []): Promise<void> {
    let wave = settled;
    let admit = ready;
    while (wave.length > 0 || admit.length > 0) {
      const released = await this.release(uow, wave);
      const next = await this.admit(uow, [...admit, ...released.ready]);
      wave = [...released.skipped, ...next];
      admit = uow.admitQueue.splice(0);
    }
  }

  /** Writes what the unit of work collected and closes finished runs. Call once, at the end of the transaction. */
  async flush(uow: UnitOfWork): Promise<void> {
    // Closing runs frees concurrency slots; starting waiting runs can close tasks again (a `when`
    // that is false), so this settles in rounds until nothing is left to count.
    for (;;) {
      await this.deferHistory(uow);
      const { stayOpen, mayEnd } = splitByEnding(uow, uow.drainClosedTasks());
      const counters = this.runs.adjustOpenTasksStatement(mayEnd);
      const updated = counters ? await uow.pending.updateRunCounters<RunRow>(counters) : [];
      // Runs that certainly stay open are counted with the transaction's last writes: no round trip of their own.
      // (Deferred after the query above, which could not carry them: counting updates runs too.)
      await uow.pending.runs(
        this.runs.adjustOpenTasksStatement(stayOpen),
        stayOpen.map((delta) => delta.runId),
      );
      await this.endRuns(uow, updated);
      const finished = uow.finishedRuns.splice(0);
      await this.notifications.enqueue(uow, finished, []);
      for (const run of finished) uow.afterCommit(() => this.metrics.runFinished(run.status));
      await this.runEndTriggers.recordEnded(uow, finished);
      const parents = await this.childRuns.finishParents(uow, finished);
      if (parents.length > 0) await this.advance(uow, parents);
      if (uow.freedSlots.size > 0) {
        const ready = await this.concurrency.startWaiting(uow, uow.freedSlots);
        uow.freedSlots.clear();
        await this.advance(uow, [], ready);
      }
      if (uow.closedTasks.size === 0 && uow.finishedRuns.length === 0) break;
    }
    await this.deferHistory(uow);
    // Whatever is still waiting goes with the COMMIT; NOTIFY is delivered at commit.
    await uow.pending.flushWithCommit(uow.timersChanged ? { sql: `SELECT pg_notify('${TIMERS_CHANNEL}', '')`, parameters: [] } : undefined);
  }

  /**
   * The one place a run ends on its own (cancels and deadlines end runs from their use cases): the
   * core decides from the counters the transaction left (see decideRunEnd); the run's status, its
   * `run_*` event and its place in `finishedRuns` (parents, concurrency slots, metrics) follow here.
   */
  private async endRuns(uow: UnitOfWork, counted: readonly RunRow[]): Promise<void> {
    const ended: { id: string; status: 'failed' | 'succeeded' }[] = [];
    for (const run of counted) {
      if (uow.lockedOpenTasks.has(run.id)) uow.lockedOpenTasks.set(run.id, run.tasksOpen);
      const status = decideRunEnd(run);
      if (!status) continue;
      ended.push({ id: run.id, status });
      uow.run(run.id).row.status = status;
      uow.runLeft(run.id);
      uow.finishedRuns.push({ ...run, status });
      uow.event({ runId: run.id, type: status === 'failed' ? 'run_failed' : 'run_succeeded', details: { failedTasks: run.tasksFailed } });
    }
    // Usually the last write of the transaction: it rides with the events in the final statement.
    await uow.pending.runs(
      this.runs.finishManyStatement(ended),
      ended.map((run) => run.id),
    );
  }

  /** Events and dead letters collected so far ride with the next statement (a trigger tells live views at commit). */
  private async deferHistory(uow: UnitOfWork): Promise<void> {
    const deadLetters = uow.deadLetters.splice(0);
    await uow.pending.history(this.deadLetters.addStatement(deadLetters));
    await this.notifications.enqueue(uow, [], deadLetters);
    await uow.pending.history(this.events.appendStatement(uow.events.splice(0)));
  }

  private async release(uow: UnitOfWork, wave: SettledTask[]): Promise<{ ready: ReadyTask[]; skipped: SettledTask[] }> {
    if (wave.length === 0) return { ready: [], skipped: [] };
    // Instances of a forEach report to their fan-out task; one that thereby ends joins this wave.
    const settled = wave.filter((task) => !task.parentTaskRunId);
    settled.push(
      ...(await this.fanOut.settleInstances(
        uow,
        wave.filter((task) => task.parentTaskRunId),
      )),
    );
    const releases = new Map<string, DependencyRelease>();
    for (const task of settled) {
      const { workflow } = uow.run(task.runId);
      for (const dependent of workflow.dependentsOf(task.name)) {
        const key = `${task.runId}/${dependent}`;
        const release = releases.get(key) ?? { runId: task.runId, name: dependent, succeeded: 0, failed: 0, skipped: 0 };
        release[upstreamResultOf(task.status)] += 1;
        releases.set(key, release);
      }
    }
    const release = this.taskRuns.releaseDependentsStatement([...releases.values()]);
    const rows = release ? await uow.pending.updateTaskCounters<ReleasedTask>(release) : [];
    const ready: ReadyTask[] = [];
    const skipped: SettledTask[] = [];
    for (const row of rows) {
      const task = uow.run(row.runId).workflow.task(row.name);
      const decision = triggerDecision(task.trigger, {
        total: row.depsTotal,
        succeeded: row.depsSucceeded,
        failed: row.depsFailed,
        skipped: row.depsSkipped,
      });
      if (decision === 'ready') ready.push({ runId: row.runId, taskRunId: row.id, name: row.name, attempt: 1 });
      else if (decision === 'skip') skipped.push({ runId: row.runId, taskRunId: row.id, name: row.name, status: 'skipped' });
    }
    await this.skip(uow, skipped, 'upstream');
    return { ready, skipped };
  }

  /**
   * Applies the core's admission of each ready task (see decideAdmission): skips, failures,
   * expansions, child runs, approvals and queued tasks become this transaction's writes.
   */
  private async admit(uow: UnitOfWork, ready: ReadyTask[]): Promise<SettledTask[]> {
    if (ready.length === 0) return [];
    const settled: SettledTask[] = [];
    const queued: { id: string; attempt: number; input: unknown; budgetStart?: number; secretSlots: SecretSlot[] }[] = [];
    const skippedByWhen: SettledTask[] = [];
    const failed: { id: string; status: TaskStatus; error: TaskFailure }[] = [];
    const waiting: { id: string; workerId: string; startedAt: Date; deadlineGraceMs: number }[] = [];
    const scopes = await this.scopesFor(uow, ready);

    for (const task of ready) {
      const { row: run, workflow } = uow.run(task.runId);
      const definition = workflow.task(task.name);
      const scope = scopes.get(task.runId)!;
      let admission = decideAdmission(definition, scope);
      try {
        if (admission.kind === 'expand') {
          const ended = await this.fanOut.expand(uow, task, definition, admission.items, scope);
          if (ended) settled.push(ended);
          continue;
        }
        if (admission.kind === 'start-child') {
          // The child run is the work: its first tasks join the next wave of this transaction.
          uow.admitQueue.push(...(await this.childRuns.start(uow, task, admission)));
          continue;
        }
      } catch (error) {
        const failure = admissionFailure(error);
        if (!failure) throw error;
        admission = { kind: 'fail', failure };
      }
      switch (admission.kind) {
        case 'skip':
          skippedByWhen.push({ runId: task.runId, taskRunId: task.taskRunId, name: task.name, status: 'skipped' });
          break;
        case 'fail':
          failed.push({ id: task.taskRunId, status: 'failed', error: admission.failure });
          uow.event({
            runId: task.runId,
            type: 'task_failed',
            task: task.name,
            attempt: task.attempt,
            details: { error: admission.failure },
          });
          uow.countClosed(task.runId, 1, 1);
          settled.push({ runId: task.runId, taskRunId: task.taskRunId, name: task.name, status: 'failed' });
          break;
        case 'await-approval':
        case 'queue': {
          const { input, secretSlots } = admission;
          queued.push({ id: task.taskRunId, attempt: task.attempt, input, budgetStart: task.budgetStart, secretSlots });
          if (definition.scheduleToStartTimeout !== undefined) uow.timersChanged = true;
          uow.event({ runId: task.runId, type: 'task_queued', task: task.name, attempt: task.attempt });
          if (admission.kind === 'await-approval') {
            // No worker serves approvals: the step waits, running, for a decision through the API.
            waiting.push({ id: task.taskRunId, workerId: APPROVAL_WORKER, startedAt: new Date(), deadlineGraceMs: 0 });
            if (definition.timeout !== undefined) uow.timersChanged = true;
            uow.event({
              runId: task.runId,
              type: 'task_started',
              task: task.name,
              attempt: task.attempt,
              details: { waitingForApproval: true },
            });
            break;
          }
          // Secrets stay placeholders here: only the worker that runs the task ever sees their values.
          uow.dispatch.push({
            taskRunId: task.taskRunId,
            run,
            task: task.name,
            type: definition.type,
            attempt: task.attempt,
            input,
            priority: definition.priority,
            timeoutMs: definition.timeout,
            heartbeatTimeoutMs: definition.heartbeatTimeout,
            lastHeartbeatDetails: task.lastHeartbeatDetails,
            secretSlots,
          });
        }
      }
    }
    await uow.pending.taskDecisions(this.taskRuns.markQueuedStatement(queued), ids(queued));
    await uow.pending.taskDecisions(this.taskRuns.markRunningStatement(waiting), ids(waiting));
    await uow.pending.taskDecisions(this.taskRuns.markFinishedStatement(failed), ids(failed));
    await this.skip(uow, skippedByWhen, 'when');
    return [...settled, ...skippedByWhen];
  }

  async skip(uow: UnitOfWork, tasks: SettledTask[], reason: 'upstream' | 'when'): Promise<void> {
    if (tasks.length === 0) return;
    const taskRunIds = tasks.map((t) => t.taskRunId);
    await uow.pending.taskDecisions(this.taskRuns.markSkippedStatement(taskRunIds), taskRunIds);
    for (const task of tasks) {
      uow.event({ runId: task.runId, type: 'task_skipped', task: task.name, details: { reason } });
      uow.countClosed(task.runId, 1, 0);
    }
  }

  /** Loads only the upstream outputs the ready tasks' templates read, one query per run. */
  private async scopesFor(uow: UnitOfWork, ready: ReadyTask[]): Promise<Map<string, ExpressionScope>> {
    const reads = new Map<string, Set<string>>();
    for (const task of ready) {
      const names = reads.get(task.runId) ?? new Set<string>();
      for (const name of uow.run(task.runId).workflow.templateReads.get(task.name) ?? []) names.add(name);
      reads.set(task.runId, names);
    }
    const scopes = new Map<string, ExpressionScope>();
    for (const [runId, names] of reads) {
      const { row, workflow } = uow.run(runId);
      const tasks: ExpressionScope['tasks'] = {};
      for (const upstream of await this.taskRuns.outputs(uow.tx, runId, [...names])) {
        tasks[upstream.name] = { output: upstream.output, status: upstream.status };
      }
      scopes.set(runId, {
        inputs: row.inputs,
        tasks,
        run: { id: runId },
        workflow: { name: workflow.definition.metadata.name, namespace: workflow.definition.metadata.namespace },
      });
    }
    return scopes;
  }
}

/**
 * Splits counter updates into those of locked running runs whose tasks_open stays above zero (their
 * tracked count moves on here) and the rest, whose new counters the database must answer with.
 */
function splitByEnding(uow: UnitOfWork, deltas: readonly OpenTasksDelta[]): { stayOpen: OpenTasksDelta[]; mayEnd: OpenTasksDelta[] } {
  const stayOpen: OpenTasksDelta[] = [];
  const mayEnd: OpenTasksDelta[] = [];
  for (const delta of deltas) {
    const open = uow.lockedOpenTasks.get(delta.runId);
    const after = open === undefined ? undefined : open - delta.closed + delta.added;
    if (after !== undefined && after > 0 && uow.runs.get(delta.runId)?.row.status === 'running') {
      uow.lockedOpenTasks.set(delta.runId, after);
      stayOpen.push(delta);
    } else {
      mayEnd.push(delta);
    }
  }
  return { stayOpen, mayEnd };
}

function ids(items: readonly { id: string }[]): string[] {
  return items.map((item) => item.id);
}
