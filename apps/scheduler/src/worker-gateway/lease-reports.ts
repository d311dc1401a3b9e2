import { Injectable } from '@nestjs/common';
import { Conflict, InvalidInput, NotFound } from '@flowctl/core';
import { TaskRunRepository, type AttemptState } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import type { Access } from '../auth/access';
import { AttemptReporter } from './attempt-reporter';
import { CancelRequests } from './cancel-requests';
import { LeaseKey } from './lease-key';
import { lockDurationFor } from './lease-lock';
import { LeaseUnreadable, verifyLease, type Lease } from './lease-token';
import { WorkerPresence } from './worker-presence';
import type { CompleteRequest, FailRequest, HeartbeatRequest, LogsRequest } from './worker-requests';

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
    const output = request.output ?? null;
    const size = Buffer.byteLength(JSON.stringify(output));
    if (size > MAX_OUTPUT_BYTES)
      throw new InvalidInput(`output is ${size} bytes; the limit is ${MAX_OUTPUT_BYTES}: fail the attempt or store the data elsewhere`);
    if (lease.deadline !== null && Date.now() >= lease.deadline) return this.timedOut(lease);
    // The common case asks Redis, not PostgreSQL: the lease still holds its job's lock and no cancel was broadcast for it.
    const [held] = await Promise.all([
      this.cancels.has(lease.jobId) ? false : this.reporter.holdsLock(lease).catch(() => false),
      this.presence.heard(lease.workerId),
    ]);
    if (!held) {
      const state = await this.taskRuns.attemptState(this.dataSource, lease.taskRunId);
      if (state?.attempt === lease.attempt && state.status === 'succeeded' && state.workerId === lease.workerId) {
        await this.reporter.finishJob(lease, 'completed');
        return {};
      }
      if (!isCurrent(state, lease)) return this.letGo(lease, state);
    }
    await this.reporter.succeeded(lease, output, request.traceparent);
    await this.reporter.finishJob(lease, 'completed');
    this.presence.ended(lease.workerId);
    return {};
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
