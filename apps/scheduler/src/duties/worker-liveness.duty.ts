import { Inject, Injectable, Logger } from '@nestjs/common';
import { SCHEDULER_WORKER } from '@flowctl/core';
import { ClusterRepository, LEADER_LEASE, TaskRunTimerRepository } from '@flowctl/persistence';
import { QueueTransport, taskQueueName, type TaskJob } from '@flowctl/queue';
import { DataSource } from 'typeorm';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';
import { TransactionRunner } from '../engine/transaction-runner';
import { ApplyAttemptsUseCase } from '../use-cases/apply-attempts/apply-attempts.use-case';
import { StoreTaskLogsUseCase, type LogsMessage } from '../use-cases/store-task-logs/store-task-logs.use-case';
import type { Leadership } from './leader-lease';
import type { LeaderTimer } from './timers/leader-timer';

const WORKER_BATCH = 100;
const TASK_BATCH = 500;
const RECHECK_MS = 1_000;

/** An attempt of a silent worker, to be failed as `WorkerLost`. */
interface LostAttempt {
  runId: string;
  taskRunId: string;
  attempt: number;
  type: string;
  workerId: string;
  startedAt: Date;
  message: string;
}

const isTaskJob = (data: unknown): data is TaskJob =>
  typeof data === 'object' &&
  data !== null &&
  typeof (data as TaskJob).taskRunId === 'string' &&
  typeof (data as TaskJob).runId === 'string';

/**
 * Leader timer: a worker whose heartbeats stopped for `workerLostAfterMs` is
 * lost, and its running attempts fail at once as `WorkerLost` (retryable, so
 * the retry policy applies) instead of each waiting out its own heartbeat or
 * start-to-close timeout. The failures go through the same fail-attempt command
 * as a worker's report, so a report that already landed, or a second pass over
 * the same worker, changes nothing.
 *
 * Order matters for a crash half-way: attempts are failed first and the worker
 * marked lost last, so a new leader finds the same silent worker again and
 * finishes the job. An attempt the worker took but had not reported started
 * is still queued in PostgreSQL, which does not know who holds it; its job
 * does (BullMQ's processedBy), so those are found on the queues and failed
 * the same way.
 *
 * Heartbeats travel on the results channel behind task reports. When the
 * schedulers fall behind on it, a live worker's latest heartbeat may be
 * waiting there, so the silence that counts is `workerLostAfterMs` beyond the
 * age of the oldest report still waiting; and a worker whose own liveness mark
 * in Redis (written with each registration, past any backlog) is fresh is not
 * lost at all. Without that, a backlog declares live workers lost, whose
 * failed attempts deepen the backlog, and so on.
 */
@Injectable()
export class WorkerLivenessDuty implements LeaderTimer {
  readonly name = 'worker liveness';
  private readonly logger = new Logger(WorkerLivenessDuty.name);
  private notBefore = 0;

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly cluster: ClusterRepository,
    private readonly taskRuns: TaskRunTimerRepository,
    private readonly attempts: ApplyAttemptsUseCase,
    private readonly storeTaskLogs: StoreTaskLogsUseCase,
    private readonly transport: QueueTransport,
  ) {}

  async fire(leadership: Leadership): Promise<boolean> {
    // Workers excused below (a backlog, a fresh mark) stay due by their heartbeats: look again in a while, not in a loop.
    this.notBefore = Date.now() + RECHECK_MS;
    const lostAfterMs = this.config.workerLostAfterMs + (await this.resultsBacklogMs());
    const quiet = await this.cluster.silentWorkers(this.dataSource, lostAfterMs, WORKER_BATCH);
    if (quiet.length === 0) return false;
    // Quiet on the results channel but alive by its own mark in Redis: its heartbeats are only stuck behind reports.
    const alive = await this.transport.aliveAmong(quiet).catch(() => new Set<string>());
    const silent = quiet.filter((id) => !alive.has(id));
    if (silent.length === 0) return false;

    const orphaned = await this.taskRuns.runningOnWorkers(this.dataSource, silent, TASK_BATCH);
    if (orphaned.length > 0) {
      await this.failAttempts(
        orphaned.map((task) => ({
          runId: task.runId,
          taskRunId: task.id,
          attempt: task.attempt,
          type: task.type,
          workerId: task.workerId ?? SCHEDULER_WORKER,
          startedAt: task.startedAt ?? task.queuedAt ?? new Date(),
          message: `worker ${task.workerId} stopped heartbeating for ${lostAfterMs}ms while running attempt ${task.attempt}`,
        })),
        lostAfterMs,
      );
      // More attempts than one batch: fail the rest before the workers are marked lost.
      if (orphaned.length >= TASK_BATCH) return true;
    }
    await this.failTakenNotStarted(silent, lostAfterMs);

    // Fenced: a deposed leader that wakes up late marks nobody lost.
    const lost = await this.transactions.run(async (tx) =>
      (await this.cluster.holdsLease(tx, LEADER_LEASE, leadership.holder, leadership.token))
        ? this.cluster.markWorkersLost(tx, silent, lostAfterMs)
        : [],
    );
    for (const id of lost) {
      const count = orphaned.filter((task) => task.workerId === id).length;
      this.logger.warn(`worker ${id} lost: no heartbeat for ${lostAfterMs}ms; failed ${count} running attempt(s) as WorkerLost`);
    }
    return silent.length >= WORKER_BATCH;
  }

  /**
   * Fails attempts of lost workers as `WorkerLost`, through the fail-attempt
   * command (so one already ended is left alone), which then removes their
   * jobs lock and all: left to BullMQ's stalled check they would run the ended
   * attempts again. A worker only partitioned, not dead, stops the attempt too;
   * its late report is dropped.
   */
  private async failAttempts(attempts: readonly LostAttempt[], lostAfterMs: number): Promise<void> {
    const at = new Date().toISOString();
    // The lost attempt's log ends with why it may be short: a worker ships its lines in batches.
    const notes = attempts.map((attempt): LogsMessage => ({
      kind: 'logs',
      runId: attempt.runId,
      taskRunId: attempt.taskRunId,
      attempt: attempt.attempt,
      workerId: attempt.workerId,
      at,
      lines: [
        {
          ts: at,
          level: 'warn',
          stream: 'system',
          message: `worker ${attempt.workerId} was lost (WorkerLost): lines it logged after its last shipped batch may be missing`,
        },
      ],
    }));
    await this.attempts.failAttempts(
      attempts.map((attempt) => ({
        kind: 'fail',
        runId: attempt.runId,
        taskRunId: attempt.taskRunId,
        attempt: attempt.attempt,
        workerId: attempt.workerId,
        startedAt: attempt.startedAt.toISOString(),
        at,
        error: { type: 'WorkerLost', message: attempt.message, details: { workerId: attempt.workerId, lostAfterMs } },
      })),
      new Map(attempts.map((attempt) => [attempt.taskRunId, attempt.type])),
      // Written in the failure's transaction, like a worker's own last lines: a reader that sees the attempt end finds the note.
      { holderLost: true, writeFirst: (tx) => this.storeTaskLogs.write(tx, notes) },
    );
  }

  /**
   * Attempts a silent worker took off its queues but had not yet reported as
   * started (a quick task reports once, at its end). PostgreSQL holds them as
   * queued and knows no worker for them, but each job names the worker that
   * took it. Left alone they would wait out BullMQ's lock and stalled check,
   * 30 to 60 s. Only the active jobs of the lost workers' types are read:
   * at most the workers' total concurrency.
   */
  private async failTakenNotStarted(silent: readonly string[], lostAfterMs: number): Promise<void> {
    const lost = new Set(silent);
    const types = await this.cluster.typesOf(this.dataSource, silent);
    const taken: LostAttempt[] = [];
    for (const type of types) {
      const active = await this.transport
        .queue(taskQueueName(type))
        .getActive()
        .catch(() => []);
      for (const job of active) {
        if (!job.processedBy || !lost.has(job.processedBy) || !isTaskJob(job.data)) continue;
        taken.push({
          runId: job.data.runId,
          taskRunId: job.data.taskRunId,
          attempt: job.data.attempt,
          type,
          workerId: job.processedBy,
          startedAt: new Date(job.processedOn ?? Date.now()),
          message: `worker ${job.processedBy} stopped heartbeating for ${lostAfterMs}ms holding attempt ${job.data.attempt}, before it reported a start`,
        });
      }
    }
    if (taken.length > 0) await this.failAttempts(taken, lostAfterMs);
  }

  /** How long the oldest report not yet applied has waited (0 when none, or when it cannot tell). */
  private async resultsBacklogMs(): Promise<number> {
    try {
      return (await this.transport.results().backlog()).oldestAgeMs;
    } catch {
      return 0;
    }
  }

  async nextDueAt(): Promise<Date | null> {
    const next = await this.cluster.nextWorkerLostAt(this.dataSource, this.config.workerLostAfterMs);
    return next && next.getTime() < this.notBefore ? new Date(this.notBefore) : next;
  }
}
