import { Injectable } from '@nestjs/common';
import { Conflict, InvalidInput, NotFound } from '@flowctl/core';
import { TaskRunRepository, type AttemptState } from '@flowctl/persistence';
import type { WorkerReportResult } from '@flowctl/api-contract';
import { QueueTransport } from '@flowctl/queue';
import { DataSource } from 'typeorm';
import type { Access } from '../auth/access';
import { AttemptReporter } from './attempt-reporter';
import { CancelRequests } from './cancel-requests';
import { LeaseKey } from './lease-key';
import { lockDurationFor } from './lease-lock';
import { LeaseUnreadable, verifyLease, type Lease } from './lease-token';
import { WorkerPresence } from './worker-presence';
import type { CompleteRequest, FailRequest, HeartbeatRequest, LogsRequest, ReportsRequest } from './worker-requests';

type ReportAnswer = Omit<WorkerReportResult, 'leaseId'>;

/** What a single complete or fail would have answered, as one result of a batch. */
async function answerOf(outcome: Promise<unknown>): Promise<ReportAnswer> {
  try {
    await outcome;
    return { status: 'recorded' };
  } catch (error) {
    if (error instanceof Conflict || error instanceof NotFound) return { status: 'gone', message: (error as Error).message };
    if (error instanceof InvalidInput) return { status: 'refused', message: error.message };
    throw error;
  }
}

/** A batch's answer, as the single call answers: 200, or the error it stands for. */
function answered(answer: ReportAnswer): Record<string, never> {
  if (answer.status === 'recorded') return {};
  if (answer.status === 'refused') throw new InvalidInput(answer.message ?? 'report refused');
  throw new Conflict(answer.message ?? 'the attempt is no longer current');
}

/** Outputs travel through the queue and PostgreSQL; past this they belong in object storage (as for native workers). */
export const MAX_OUTPUT_BYTES = 1_048_576;

const isCurrent = (state: AttemptState | undefined, lease: Lease): state is AttemptState =>
  state !== undefined && state.attempt === lease.attempt && (state.status === 'queued' || state.status === 'running');

/**
 * Heartbeats and reports of leased attempts. PostgreSQL says whether an
 * attempt is still current (this attempt, queued or running): one that timed
 * out, was cancelled, failed as WorkerLost or was superseded answers 409, and
 * its BullMQ job is let go. The start-to-close timeout is enforced here to the
 * millisecond when the worker next heartbeats, and by the leader's timeout
 * timer should it not.
 */
@Injectable()
export class LeaseReports {
  constructor(
    private readonly dataSource: DataSource,
    private readonly taskRuns: TaskRunRepository,
    private readonly leaseKey: LeaseKey,
    private readonly reporter: AttemptReporter,
    private readonly presence: WorkerPresence,
    private readonly cancels: CancelRequests,
    private readonly transport: QueueTransport,
  ) {}

  /** The lease an id names: 404 alike for a garbled, forged or foreign one, so an id reveals nothing. */
  async resolve(leaseId: string, access: Access): Promise<Lease> {
    let lease: Lease;
    try {
      lease = verifyLease(leaseId, await this.leaseKey.get());
    } catch (error) {
      if (error instanceof LeaseUnreadable) throw new NotFound('no such lease');
      throw error;
    }
    access.assertVisible(lease.namespace, 'no such lease');
    return lease;
  }

  async heartbeat(lease: Lease, request: HeartbeatRequest): Promise<{ cancelRequested: boolean }> {
    this.cancels.subscribe();
    const [state] = await Promise.all([this.taskRuns.attemptState(this.dataSource, lease.taskRunId), this.presence.heard(lease.workerId)]);
    if (!isCurrent(state, lease)) return this.letGo(lease, state);
    if (lease.deadline !== null && Date.now() >= lease.deadline) return this.timedOut(lease);
    await Promise.all([
      this.reporter.heartbeat(lease, request.details),
      this.reporter.extendLock(lease, lockDurationFor(lease.heartbeatTimeoutMs)).catch(() => false),
    ]);
    return { cancelRequested: this.cancels.has(lease.jobId) || state.runStatus === 'cancelled' };
  }

  async complete(lease: Lease, request: CompleteRequest): Promise<Record<string, never>> {
    const [answer] = await this.completeMany([{ lease, request }]);
    return answered(answer!);
  }

  /**
   * Several successes at once: their outcomes go out in one write to the results channel and their
   * jobs are ended together, while the job's lock says whether each lease still held its attempt
   * and no cancel was broadcast for it: the common case in one round of Redis calls, whatever the
   * batch's size. A report of an attempt that was over is dropped by the engine, and a job this
   * lease no longer holds is not ended by it; only then is PostgreSQL asked, for the answer (a
   * repeated complete, or 409).
   */
  private async completeMany(items: readonly { lease: Lease; request: CompleteRequest }[]): Promise<ReportAnswer[]> {
    const answers: ReportAnswer[] = new Array(items.length);
    const taken: { index: number; lease: Lease; output: unknown; traceparent?: string }[] = [];
    await Promise.all(
      items.map(async ({ lease, request }, index) => {
        const output = request.output ?? null;
        const size = Buffer.byteLength(JSON.stringify(output));
        if (size > MAX_OUTPUT_BYTES)
          answers[index] = {
            status: 'refused',
            message: `output is ${size} bytes; the limit is ${MAX_OUTPUT_BYTES}: fail the attempt or store the data elsewhere`,
          };
        else if (lease.deadline !== null && Date.now() >= lease.deadline) answers[index] = await answerOf(this.timedOut(lease));
        else taken.push({ index, lease, output, ...(request.traceparent ? { traceparent: request.traceparent } : {}) });
      }),
    );
    if (taken.length === 0) return answers;
    const [ended] = await Promise.all([
      Promise.all(taken.map(({ lease }) => this.reporter.finishJob(lease, 'completed'))),
      this.reporter.succeeded(taken),
      this.heardFrom(taken.map(({ lease }) => lease.workerId)),
    ]);
    await Promise.all(
      taken.map(async ({ index, lease }, position) => {
        const held = ended[position]! && this.transport.kind === 'redis' && !this.cancels.has(lease.jobId);
        if (!held) {
          const state = await this.taskRuns.attemptState(this.dataSource, lease.taskRunId);
          const succeededHere = state?.attempt === lease.attempt && state.status === 'succeeded' && state.workerId === lease.workerId;
          if (!succeededHere && !isCurrent(state, lease)) {
            answers[index] = await answerOf(this.letGo(lease, state));
            return;
          }
        }
        this.presence.ended(lease.workerId);
        answers[index] = { status: 'recorded' };
      }),
    );
    return answers;
  }

  /** Outcomes of several leases in one call, each answered as its own complete or fail would be. */
  async report(request: ReportsRequest, access: Access): Promise<{ results: WorkerReportResult[] }> {
    const answers: ReportAnswer[] = new Array(request.reports.length);
    const completes: { index: number; lease: Lease; request: CompleteRequest }[] = [];
    const fails: Promise<void>[] = [];
    for (const [index, report] of request.reports.entries()) {
      let lease: Lease;
      try {
        lease = await this.resolve(report.leaseId, access);
      } catch (error) {
        answers[index] = await answerOf(Promise.reject(error));
        continue;
      }
      if (report.outcome === 'completed') {
        completes.push({
          index,
          lease,
          request: { output: report.output, ...(report.traceparent !== undefined ? { traceparent: report.traceparent } : {}) },
        });
      } else {
        const { leaseId: _leaseId, outcome: _outcome, ...failure } = report;
        fails.push(answerOf(this.fail(lease, failure)).then((answer) => void (answers[index] = answer)));
      }
    }
    const completed = await this.completeMany(completes);
    completes.forEach(({ index }, position) => (answers[index] = completed[position]!));
    await Promise.all(fails);
    return {
      results: request.reports.map((report, index) => ({ leaseId: report.leaseId, ...answers[index]! })),
    };
  }

  private async heardFrom(workerIds: readonly string[]): Promise<void> {
    await Promise.all([...new Set(workerIds)].map((workerId) => this.presence.heard(workerId)));
  }

  async fail(lease: Lease, request: FailRequest): Promise<Record<string, never>> {
    const [state] = await Promise.all([this.taskRuns.attemptState(this.dataSource, lease.taskRunId), this.presence.heard(lease.workerId)]);
    const ended = state?.attempt === lease.attempt && ['retrying', 'failed', 'dead'].includes(state.status);
    if (ended && state.errorType === request.error.type && state.workerId === lease.workerId) {
      await this.reporter.finishJob(lease, 'failed', request.error.message);
      return {};
    }
    if (!isCurrent(state, lease)) return this.letGo(lease, state);
    const { error } = request;
    await this.reporter.failed(
      lease,
      {
        type: error.type,
        message: error.message,
        ...(error.nonRetryable !== undefined ? { nonRetryable: error.nonRetryable } : {}),
        ...(error.stack !== undefined ? { stack: error.stack } : {}),
        ...(error.details !== undefined ? { details: error.details } : {}),
      },
      'details' in request && request.details !== undefined ? { details: request.details } : undefined,
      request.traceparent,
    );
    await this.reporter.finishJob(lease, 'failed', `${error.type}: ${error.message}`);
    this.presence.ended(lease.workerId);
    return {};
  }

  /** Log lines are taken even after the attempt ended: a worker flushes its last lines after it reports. */
  async logs(lease: Lease, request: LogsRequest): Promise<{ accepted: number }> {
    if (request.lines.length === 0) return { accepted: 0 };
    const now = new Date().toISOString();
    await this.reporter.logs(
      lease,
      request.lines.map((line) => ({ ts: line.ts ?? now, level: line.level, stream: line.stream, message: line.message })),
    );
    return { accepted: request.lines.length };
  }

  /** Past its deadline the attempt is over, whatever the worker says: failed as a Timeout, as a native runner would. */
  private async timedOut(lease: Lease): Promise<never> {
    const limitMs = lease.deadline! - lease.startedAt;
    await this.reporter.failed(lease, {
      type: 'Timeout',
      message: `attempt ${lease.attempt} exceeded its startToClose timeout of ${limitMs}ms`,
      details: { timeout: 'startToClose', limitMs },
    });
    return this.letGo(lease, undefined, 'its start-to-close timeout passed');
  }

  private async letGo(lease: Lease, state: AttemptState | undefined, why?: string): Promise<never> {
    await this.reporter.finishJob(lease, 'failed', why ?? 'attempt no longer current');
    this.presence.ended(lease.workerId);
    const reason =
      why ??
      (!state
        ? 'its task no longer exists'
        : state.attempt !== lease.attempt
          ? `the task is at attempt ${state.attempt} now`
          : `the attempt is ${state.status}${state.errorType ? ` (${state.errorType})` : ''}`);
    throw new Conflict(`attempt ${lease.attempt} of this task is no longer current: ${reason}; stop working on it`);
  }
}
