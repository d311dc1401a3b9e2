import { Injectable } from '@nestjs/common';
import { SpanKind, type Span } from '@opentelemetry/api';
import { contextOf, getLogger, isTracingEnabled, traceparentOf, tracer } from '@flowctl/observability';
import { acceptsEnd, acceptsStart, decideFailedAttempt } from '@flowctl/core';
import {
  ClusterRepository,
  TaskRunRepository,
  type FinishedTask,
  type NewRunEvent,
  type Queryable,
  type TaskRunRow,
} from '@flowctl/persistence';
import { taskJobId } from '@flowctl/queue';
import { RunAdvancer } from '../../engine/run-advancer';
import { RunLocker } from '../../engine/run-locker';
import { TaskDispatcher } from '../../engine/task-dispatcher';
import { TransactionRunner } from '../../engine/transaction-runner';
import { UnitOfWork, type SettledTask } from '../../engine/unit-of-work';
import { EngineMetrics } from '../../metrics/engine-metrics';
import type { AttemptCommand, EndAttempt, FailAttempt } from './attempt-command';

/**
 * Starts, completes and fails attempts, a batch in one transaction, with their
 * consequences (retries, dead letters, released dependents, finished runs).
 * Every way an attempt ends comes here: a worker's report (RecordResultsUseCase),
 * a timeout, a lost worker, an approval's decision. A command for an attempt
 * that is no longer current (a duplicate, or a late one after a cancel or a
 * retry) is dropped, so each applies once.
 */
@Injectable()
export class ApplyAttemptsUseCase {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly taskRuns: TaskRunRepository,
    private readonly cluster: ClusterRepository,
    private readonly locker: RunLocker,
    private readonly advancer: RunAdvancer,
    private readonly dispatcher: TaskDispatcher,
    private readonly metrics: EngineMetrics,
  ) {}

  private readonly logger = getLogger(ApplyAttemptsUseCase.name);

  /** Fails attempts the scheduler ended itself (a timeout, a lost worker), then aborts their jobs. */
  async failAttempts(
    failures: readonly FailAttempt[],
    types: ReadonlyMap<string, string>,
    options?: { holderLost?: boolean; writeFirst?: (tx: Queryable) => Promise<unknown> },
  ): Promise<void> {
    await this.execute(failures, options?.writeFirst);
    const jobs = new Map(failures.map((failure) => [taskJobId(failure.taskRunId, failure.attempt), types.get(failure.taskRunId)!]));
    await this.dispatcher.abort([...jobs.keys()], jobs, options);
  }

  /**
   * `writeFirst` is written in the same transaction, ahead of the commands and before any run is locked:
   * what must be visible no later than the outcomes (an attempt's last log lines) commits with them. With
   * no commands it is committed on its own.
   */
  async execute(commands: readonly AttemptCommand[], writeFirst?: (tx: Queryable) => Promise<unknown>): Promise<void> {
    if (commands.length === 0) {
      if (writeFirst) await this.transactions.run(writeFirst);
      return;
    }
    const spans = isTracingEnabled() ? commandSpans(commands) : undefined;
    try {
      await this.apply(commands, spans, writeFirst);
    } finally {
      for (const span of spans?.values() ?? []) span.end();
    }
  }

  private async apply(
    commands: readonly AttemptCommand[],
    spans: Map<AttemptCommand, Span> | undefined,
    writeFirst: ((tx: Queryable) => Promise<unknown>) | undefined,
  ): Promise<void> {
    const applied: { command: AttemptCommand; row: TaskRunRow; status: string }[] = [];
    const uow = await this.transactions.run(async (tx) => {
      applied.length = 0;
      await writeFirst?.(tx);
      const uow = new UnitOfWork(tx);
      // Runs are locked before their tasks, as in every engine transaction. The run id a
      // command names is checked against the task's row below, so a wrong one only drops it.
      const current = await this.locker.lockWithTasks(
        uow,
        commands.map((c) => c.runId),
        [...new Set(commands.map((c) => c.taskRunId))],
      );
      const rows = new Map(current.map((row) => [row.id, row]));
      const settled: SettledTask[] = [];
      const started: { id: string; workerId: string; startedAt: Date }[] = [];
      const finished: FinishedTask[] = [];

      for (const command of commands) {
        const row = rows.get(command.taskRunId);
        if (!row || row.runId !== command.runId || !uow.runs.has(row.runId)) continue;
        if (command.kind === 'start') {
          if (!acceptsStart(row, command.attempt)) continue;
          row.status = 'running';
          if (row.timeoutMs !== null || row.heartbeatTimeoutMs !== null) uow.timersChanged = true;
          started.push({ id: row.id, workerId: command.workerId, startedAt: new Date(command.at) });
          applied.push({ command, row, status: 'running' });
          uow.event(startedEvent(row, command.workerId));
          continue;
        }
        if (!acceptsEnd(row, command.attempt)) continue;
        if (row.status === 'queued') {
          // The worker reports quick tasks once: record the start its outcome carries.
          uow.event(startedEvent(row, command.workerId));
        }
        const outcome = this.outcome(uow, row, command);
        const span = spans?.get(command);
        if (outcome.status === 'retrying' && span) outcome.retryTraceparent = traceparentOf(span);
        row.status = outcome.status;
        finished.push(outcome);
        applied.push({ command, row, status: outcome.status });
        if (outcome.status !== 'retrying') {
          settled.push({
            runId: row.runId,
            taskRunId: row.id,
            name: row.name,
            status: outcome.status,
            parentTaskRunId: row.parentTaskRunId,
          });
        }
      }
      // Written with the release of dependents, one statement for both.
      await uow.pending.taskOutcomes(
        this.taskRuns.markRunningStatement(started),
        started.map((task) => task.id),
      );
      await uow.pending.taskOutcomes(
        this.taskRuns.markFinishedStatement(finished),
        finished.map((task) => task.id),
      );
      await this.advancer.advance(uow, settled);
      await this.advancer.flush(uow);
      return uow;
    });
    this.observe(applied, spans);
    if (spans) {
      // Tasks a result released continue that result's trace: the run's trace goes on from task to task.
      const byRun = new Map([...spans].map(([command, span]) => [command.runId, span]));
      for (const item of [...uow.dispatch, ...uow.instancesDispatch]) {
        const span = byRun.get(item.run.id);
        if (span && !item.traceparent) item.traceparent = traceparentOf(span);
      }
    }
    await this.dispatcher.dispatchCommitted(uow);
    await this.failStartsOnLostWorkers(
      applied.flatMap(({ command, row }) => (command.kind === 'start' ? [{ row, workerId: command.workerId, startedAt: command.at }] : [])),
    );
  }

  /**
   * A start that arrives after its worker was declared lost (it waited on the
   * queue while the worker died) escaped the liveness duty, which fails only
   * what is running when it marks the worker: fail it now, as that duty would
   * have, rather than leave it running until a timeout or BullMQ's stalled check.
   */
  private async failStartsOnLostWorkers(started: readonly { row: TaskRunRow; workerId: string; startedAt: string }[]): Promise<void> {
    if (started.length === 0) return;
    const lost = new Set(await this.cluster.lostAmong(this.transactions.db, [...new Set(started.map((s) => s.workerId))]));
    const orphaned = started.filter((s) => lost.has(s.workerId));
    if (orphaned.length === 0) return;
    const at = new Date().toISOString();
    await this.failAttempts(
      orphaned.map(({ row, workerId, startedAt }) => ({
        kind: 'fail' as const,
        runId: row.runId,
        taskRunId: row.id,
        attempt: row.attempt,
        workerId,
        startedAt,
        at,
        error: {
          type: 'WorkerLost',
          message: `attempt ${row.attempt} started on worker ${workerId}, which had already stopped heartbeating`,
          details: { workerId },
        },
      })),
      new Map(orphaned.map(({ row }) => [row.id, row.type])),
      { holderLost: true },
    );
  }

  /** Counters, lag and one log line per applied command; all in memory, after commit. */
  private observe(
    applied: readonly { command: AttemptCommand; row: TaskRunRow; status: string }[],
    spans?: Map<AttemptCommand, Span>,
  ): void {
    const now = Date.now();
    const debug = this.logger.isLevelEnabled('debug');
    for (const { command, row, status } of applied) {
      this.metrics.resultApplied(command.at, now);
      spans?.get(command)?.setAttributes({ 'flowctl.task.name': row.name, 'flowctl.task.type': row.type, 'flowctl.task.status': status });
      const fields = { runId: row.runId, task: row.name, attempt: row.attempt, type: row.type, status, workerId: command.workerId };
      if (command.kind === 'start') {
        if (debug) this.logger.debug(fields, 'task started');
        continue;
      }
      this.metrics.taskResult(row.type, status);
      if (command.kind === 'complete') {
        if (debug) this.logger.debug(fields, 'task succeeded');
      } else {
        this.logger[status === 'retrying' ? 'info' : 'warn'](
          { ...fields, errorType: command.error.type },
          `task ${status}: ${command.error.message}`,
        );
      }
    }
  }

  /** The core's decision on an ended attempt (see decideFailedAttempt), turned into the row's write and its events. */
  private outcome(uow: UnitOfWork, row: TaskRunRow, command: EndAttempt): FinishedTask {
    const base = {
      id: row.id,
      workerId: command.workerId,
      startedAt: new Date(command.startedAt),
      finishedAt: new Date(command.at),
      heartbeatDetails: command.kind === 'fail' ? command.heartbeatDetails : undefined,
    };
    const event = { runId: row.runId, task: row.name, attempt: row.attempt };
    if (command.kind === 'complete') {
      uow.event({ ...event, type: 'task_succeeded', details: { workerId: command.workerId } });
      uow.countClosed(row.runId, 1, 0);
      return { ...base, status: 'succeeded' as const, output: command.output };
    }
    const { row: run, workflow } = uow.run(row.runId);
    const decision = decideFailedAttempt({ ...row, retry: workflow.task(row.name).retry }, command.error, Date.now());
    const { error } = decision;
    uow.event({ ...event, type: 'task_failed', details: { workerId: command.workerId, error } });
    if (decision.status === 'retrying') {
      const { delayMs, nextAttempt, retryAt } = decision;
      uow.timersChanged = true;
      uow.event({ ...event, type: 'task_retrying', details: { delayMs, nextAttempt, retryAt } });
      return { ...base, status: 'retrying' as const, error, retryAt };
    }
    uow.countClosed(row.runId, 1, 1);
    if (decision.status === 'failed') return { ...base, status: 'failed' as const, error };
    uow.event({ ...event, type: 'task_dead', details: { attempts: decision.attempts } });
    uow.deadLetters.push({
      taskRunId: row.id,
      runId: row.runId,
      namespace: run.namespace,
      workflowName: run.workflowName,
      task: row.name,
      type: row.type,
      attempt: row.attempt,
      error,
      input: row.input,
    });
    return { ...base, status: 'dead' as const, error };
  }
}

/** The history entry of an attempt's start, whether the worker reported it or its outcome carried it. */
function startedEvent(row: TaskRunRow, workerId: string): NewRunEvent {
  return { runId: row.runId, type: 'task_started', task: row.name, attempt: row.attempt, details: { workerId } };
}

const SPAN_NAMES: Record<AttemptCommand['kind'], string> = { start: 'apply started', complete: 'apply succeeded', fail: 'apply failed' };

/** One span per command that carries a trace context: the result's application, under the worker's span. */
function commandSpans(commands: readonly AttemptCommand[]): Map<AttemptCommand, Span> {
  const spans = new Map<AttemptCommand, Span>();
  for (const command of commands) {
    if (!command.traceparent) continue;
    spans.set(
      command,
      tracer().startSpan(
        SPAN_NAMES[command.kind],
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'flowctl.run.id': command.runId,
            'flowctl.task_run.id': command.taskRunId,
            'flowctl.task.attempt': command.attempt,
            'flowctl.worker.id': command.workerId,
          },
        },
        contextOf(command.traceparent),
      ),
    );
  }
  return spans;
}
