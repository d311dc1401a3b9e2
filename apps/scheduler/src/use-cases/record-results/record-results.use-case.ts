import { Injectable } from '@nestjs/common';
import { SpanKind, type Span } from '@opentelemetry/api';
import { contextOf, getLogger, isTracingEnabled, traceparentOf, tracer } from '@flowctl/observability';
import { acceptsEnd, acceptsStart, decideFailedAttempt } from '@flowctl/core';
import { ClusterRepository, TaskRunRepository, type FinishedTask, type TaskRunRow } from '@flowctl/persistence';
import { taskJobId, type ResultMessage } from '@flowctl/queue';
import { RunAdvancer } from '../../engine/run-advancer';
import { RunLocker } from '../../engine/run-locker';
import { TaskDispatcher } from '../../engine/task-dispatcher';
import { TransactionRunner } from '../../engine/transaction-runner';
import { UnitOfWork, type SettledTask } from '../../engine/unit-of-work';
import { EngineMetrics } from '../../metrics/engine-metrics';
import { StoreTaskLogsUseCase, type LogsMessage } from '../store-task-logs/store-task-logs.use-case';

type TaskMessage = Extract<ResultMessage, { kind: 'started' | 'succeeded' | 'failed' }>;
type Outcome = Extract<TaskMessage, { kind: 'succeeded' | 'failed' }>;

/**
 * Applies a batch of worker reports in one transaction: starts, outcomes and
 * their consequences (retries, dead letters, released dependents, finished
 * runs). A report for an attempt that is no longer current (a duplicate, or a
 * late answer after a cancel or a retry) is dropped, so each applies once.
 */
@Injectable()
export class RecordResultsUseCase {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly taskRuns: TaskRunRepository,
    private readonly cluster: ClusterRepository,
    private readonly locker: RunLocker,
    private readonly advancer: RunAdvancer,
    private readonly dispatcher: TaskDispatcher,
    private readonly metrics: EngineMetrics,
    private readonly storeTaskLogs: StoreTaskLogsUseCase,
  ) {}

  private readonly logger = getLogger(RecordResultsUseCase.name);

  /** Log lines go to their own transaction, committed before the engine applies the batch's reports. */
  async execute(messages: readonly ResultMessage[]): Promise<void> {
    const logs = messages.filter((m): m is LogsMessage => m.kind === 'logs');
    if (logs.length === 0) return this.record(messages);
    // Lines first: a worker ships an attempt's last lines ahead of its outcome, and a reader (the dashboard,
    // `flowctl logs -f`) that sees the attempt end must find every line already stored.
    await this.storeTaskLogs.execute(logs);
    await this.record(messages);
  }

  private async record(messages: readonly ResultMessage[]): Promise<void> {
    const workers = messages.filter((m): m is Extract<ResultMessage, { kind: 'worker' }> => m.kind === 'worker');
    const heartbeats = messages.filter((m): m is Extract<ResultMessage, { kind: 'heartbeat' }> => m.kind === 'heartbeat');
    const taskMessages = messages.filter((m): m is TaskMessage => m.kind === 'started' || m.kind === 'succeeded' || m.kind === 'failed');

    if (workers.length > 0) {
      await this.cluster.upsertWorkers(
        this.transactions.db,
        workers.map((m) => ({ ...m.worker, lastHeartbeatAt: new Date(m.at) })),
      );
    }
    if (heartbeats.length > 0) {
      await this.taskRuns.recordHeartbeats(
        this.transactions.db,
        heartbeats.map((m) => ({ id: m.taskRunId, attempt: m.attempt, details: m.details, at: new Date(m.at) })),
      );
    }
    if (taskMessages.length === 0) return;

    const spans = isTracingEnabled() ? resultSpans(taskMessages) : undefined;
    try {
      await this.apply(taskMessages, spans);
    } finally {
      for (const span of spans?.values() ?? []) span.end();
    }
  }

  private async apply(taskMessages: readonly TaskMessage[], spans: Map<TaskMessage, Span> | undefined): Promise<void> {
    const applied: { message: TaskMessage; row: TaskRunRow; status: string }[] = [];
    const uow = await this.transactions.run(async (tx) => {
      applied.length = 0;
      const uow = new UnitOfWork(tx);
      // Runs are locked before their tasks, as in every engine transaction. The run id a
      // message names is checked against the task's row below, so a wrong one only drops it.
      const current = await this.locker.lockWithTasks(
        uow,
        taskMessages.map((m) => m.runId),
        [...new Set(taskMessages.map((m) => m.taskRunId))],
      );
      const rows = new Map(current.map((row) => [row.id, row]));
      const settled: SettledTask[] = [];
      const started: { id: string; workerId: string; startedAt: Date }[] = [];
      const finished: FinishedTask[] = [];

      for (const message of taskMessages) {
        const row = rows.get(message.taskRunId);
        if (!row || row.runId !== message.runId || !uow.runs.has(row.runId)) continue;
        if (message.kind === 'started') {
          if (!acceptsStart(row, message.attempt)) continue;
          row.status = 'running';
          if (row.timeoutMs !== null || row.heartbeatTimeoutMs !== null) uow.timersChanged = true;
          started.push({ id: row.id, workerId: message.workerId, startedAt: new Date(message.at) });
          applied.push({ message, row, status: 'running' });
          uow.event({
            runId: row.runId,
            type: 'task_started',
            task: row.name,
            attempt: row.attempt,
            details: { workerId: message.workerId },
          });
          continue;
        }
        if (!acceptsEnd(row, message.attempt)) continue;
        if (row.status === 'queued') {
          // The worker reports quick tasks once: record the start its outcome carries.
          uow.event({
            runId: row.runId,
            type: 'task_started',
            task: row.name,
            attempt: row.attempt,
            details: { workerId: message.workerId },
          });
        }
        const outcome = this.outcome(uow, row, message);
        const span = spans?.get(message);
        if (outcome.status === 'retrying' && span) outcome.retryTraceparent = traceparentOf(span);
        row.status = outcome.status;
        finished.push(outcome);
        applied.push({ message, row, status: outcome.status });
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
      await uow.pending.defer(
        this.taskRuns.markRunningStatement(started),
        'in-flight-tasks',
        started.map((task) => task.id),
      );
      await uow.pending.defer(
        this.taskRuns.markFinishedStatement(finished),
        'in-flight-tasks',
        finished.map((task) => task.id),
      );
      await this.advancer.advance(uow, settled);
      await this.advancer.flush(uow);
      return uow;
    });
    this.observe(applied, spans);
    if (spans) {
      // Tasks a result released continue that result's trace: the run's trace goes on from task to task.
      const byRun = new Map([...spans].map(([message, span]) => [message.runId, span]));
      for (const item of [...uow.dispatch, ...uow.instancesDispatch]) {
        const span = byRun.get(item.run.id);
        if (span && !item.traceparent) item.traceparent = traceparentOf(span);
      }
    }
    await this.dispatcher.dispatchCommitted(uow);
    await this.failStartsOnLostWorkers(
      applied.flatMap(({ message, row }) =>
        message.kind === 'started' ? [{ row, workerId: message.workerId, startedAt: new Date(message.at) }] : [],
      ),
    );
  }

  /**
   * A start that arrives after its worker was declared lost (it waited on the
   * queue while the worker died) escaped the liveness duty, which fails only
   * what is running when it marks the worker: fail it now, as that duty would
   * have, rather than leave it running until a timeout or BullMQ's stalled check.
   */
  private async failStartsOnLostWorkers(started: readonly { row: TaskRunRow; workerId: string; startedAt: Date }[]): Promise<void> {
    if (started.length === 0) return;
    const lost = new Set(await this.cluster.lostAmong(this.transactions.db, [...new Set(started.map((s) => s.workerId))]));
    const orphaned = started.filter((s) => lost.has(s.workerId));
    if (orphaned.length === 0) return;
    const at = new Date().toISOString();
    await this.execute(
      orphaned.map(({ row, workerId, startedAt }) => ({
        kind: 'failed' as const,
        runId: row.runId,
        taskRunId: row.id,
        attempt: row.attempt,
        workerId,
        startedAt: startedAt.toISOString(),
        at,
        error: {
          type: 'WorkerLost',
          message: `attempt ${row.attempt} started on worker ${workerId}, which had already stopped heartbeating`,
          details: { workerId },
        },
      })),
    );
    const jobs = new Map(orphaned.map(({ row }) => [taskJobId(row.id, row.attempt), row.type]));
    await this.dispatcher.abort([...jobs.keys()], jobs, { holderLost: true });
  }

  /** Counters, lag and one log line per applied report; all in memory, after commit. */
  private observe(applied: readonly { message: TaskMessage; row: TaskRunRow; status: string }[], spans?: Map<TaskMessage, Span>): void {
    const now = Date.now();
    const debug = this.logger.isLevelEnabled('debug');
    for (const { message, row, status } of applied) {
      this.metrics.resultApplied(message.at, now);
      spans?.get(message)?.setAttributes({ 'flowctl.task.name': row.name, 'flowctl.task.type': row.type, 'flowctl.task.status': status });
      const fields = { runId: row.runId, task: row.name, attempt: row.attempt, type: row.type, status, workerId: message.workerId };
      if (message.kind === 'started') {
        if (debug) this.logger.debug(fields, 'task started');
        continue;
      }
      this.metrics.taskResult(row.type, status);
      if (message.kind === 'succeeded') {
        if (debug) this.logger.debug(fields, 'task succeeded');
      } else {
        this.logger[status === 'retrying' ? 'info' : 'warn'](
          { ...fields, errorType: message.error.type },
          `task ${status}: ${message.error.message}`,
        );
      }
    }
  }

  private outcome(uow: UnitOfWork, row: TaskRunRow, message: Outcome): FinishedTask {
    const base = {
      id: row.id,
      workerId: message.workerId,
      startedAt: new Date(message.startedAt),
      finishedAt: new Date(message.at),
      heartbeatDetails: message.kind === 'failed' ? message.heartbeatDetails : undefined,
    };
    const event = { runId: row.runId, task: row.name, attempt: row.attempt };
    if (message.kind === 'succeeded') {
      uow.event({ ...event, type: 'task_succeeded', details: { workerId: message.workerId } });
      uow.countClosed(row.runId, 1, 0);
      return { ...base, status: 'succeeded' as const, output: message.output };
    }
    const { row: run, workflow } = uow.run(row.runId);
    const decision = decideFailedAttempt({ ...row, retry: workflow.task(row.name).retry }, message.error, Date.now());
    const { error } = decision;
    uow.event({ ...event, type: 'task_failed', details: { workerId: message.workerId, error } });
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

/** One span per report that carries a trace context: the result's application, under the worker's span. */
function resultSpans(messages: readonly TaskMessage[]): Map<TaskMessage, Span> {
  const spans = new Map<TaskMessage, Span>();
  for (const message of messages) {
    if (!message.traceparent) continue;
    spans.set(
      message,
      tracer().startSpan(
        `apply ${message.kind}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'flowctl.run.id': message.runId,
            'flowctl.task_run.id': message.taskRunId,
            'flowctl.task.attempt': message.attempt,
            'flowctl.worker.id': message.workerId,
          },
        },
        contextOf(message.traceparent),
      ),
    );
  }
  return spans;
}
