import { Inject, Injectable, Logger } from '@nestjs/common';
import { Conflict, type TaskFailure } from '@flowctl/core';
import { QueueTransport, taskQueueName, type ResultMessage, type TaskJob, type TaskLogLine } from '@flowctl/queue';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';
import { MaskerCache, NO_SECRETS, openSecrets, type SecretMasker } from './attempt-secrets';
import type { Lease } from './lease-token';
import type { FetchedJob } from './type-feed';
import type { Job } from 'bullmq';

/** Attempts still running after this long are reported as started on their own (as the native runner does). */
export const STARTED_REPORT_DELAY_MS = 100;
/**
 * Jobs kept as leased, for ending without a read: each holds its input, so few (a lease that never
 * reports, its worker lost, stays until pushed out). One pushed out is read again when it ends.
 */
const MAX_LEASED_JOBS = 2_000;

/**
 * What the gateway tells the engine about HTTP-leased attempts: the same
 * ResultMessages native workers put on the results channel (applied in
 * batches, a report for an attempt no longer current dropped), and the end of
 * each attempt's BullMQ job. Everything that carries values the worker sent
 * is masked of the attempt's secrets first.
 */
@Injectable()
export class AttemptReporter {
  private readonly logger = new Logger(AttemptReporter.name);
  private readonly maskers = new MaskerCache();
  private readonly pendingStarts = new Map<string, { due: number; message: ResultMessage }>();
  private startTimer?: NodeJS.Timeout;
  /** Jobs this scheduler leased, as fetched: ended without reading them again (another scheduler reads them). */
  private readonly leasedJobs = new Map<string, Job>();

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly transport: QueueTransport,
  ) {}

  /** The attempt's secrets, for masking, and its job as fetched, so ending it costs no read of the job. */
  remember(lease: Lease, opened: ReadonlyMap<string, string>, job?: Job): void {
    this.maskers.remember(lease.jobId, opened);
    if (!job) return;
    if (this.leasedJobs.size >= MAX_LEASED_JOBS) this.leasedJobs.delete(this.leasedJobs.keys().next().value!);
    this.leasedJobs.set(lease.jobId, job);
  }

  /**
   * Like the native runner's lazily written start: an attempt that ends within
   * STARTED_REPORT_DELAY_MS is reported once, its outcome carrying its start,
   * which halves the engine's work per quick task. Any longer and the start is
   * recorded, so PostgreSQL knows the worker that holds the attempt. The starts
   * due together (a poll's batch) go out in one write, behind one timer.
   */
  startSoon(lease: Lease, traceparent?: string): void {
    this.pendingStarts.set(lease.jobId, {
      due: Date.now() + STARTED_REPORT_DELAY_MS,
      message: {
        kind: 'started',
        ...this.base(lease),
        at: new Date(lease.startedAt).toISOString(),
        ...(traceparent ? { traceparent } : {}),
      },
    });
    this.startTimer ??= setTimeout(() => this.publishDueStarts(), STARTED_REPORT_DELAY_MS);
  }

  private publishDueStarts(): void {
    this.startTimer = undefined;
    const now = Date.now();
    const due: ResultMessage[] = [];
    // Insertion order is due order (each is now + the same delay): stop at the first not due.
    for (const [jobId, start] of this.pendingStarts) {
      if (start.due > now) {
        this.startTimer = setTimeout(() => this.publishDueStarts(), start.due - now);
        break;
      }
      due.push(start.message);
      this.pendingStarts.delete(jobId);
    }
    if (due.length > 0)
      void this.transport
        .results()
        .publishMany(due)
        .catch((error: Error) => this.logger.warn(`could not report the start of ${due.length} attempt(s): ${error.message}`));
  }

  private settle(lease: Lease): void {
    this.pendingStarts.delete(lease.jobId);
  }

  async heartbeat(lease: Lease, details: unknown): Promise<void> {
    const masker = await this.maskerOf(lease);
    await this.publish({ kind: 'heartbeat', ...this.base(lease), details: masker.mask(details), at: new Date().toISOString() });
  }

  /** The successes of several attempts, masked, in one write to the results channel. */
  async succeeded(reports: readonly { lease: Lease; output: unknown; traceparent?: string }[]): Promise<void> {
    const at = new Date().toISOString();
    const messages = await Promise.all(
      reports.map(async ({ lease, output, traceparent }): Promise<ResultMessage> => {
        this.settle(lease);
        const masker = await this.maskerOf(lease);
        return {
          kind: 'succeeded',
          ...this.base(lease),
          output: masker.mask(output),
          startedAt: new Date(lease.startedAt).toISOString(),
          at,
          ...(traceparent ? { traceparent } : {}),
        };
      }),
    );
    await this.transport.results().publishMany(messages);
  }

  async failed(lease: Lease, failure: TaskFailure, heartbeatDetails?: { details: unknown }, traceparent?: string): Promise<void> {
    this.settle(lease);
    const masker = await this.maskerOf(lease);
    await this.publish({
      kind: 'failed',
      ...this.base(lease),
      error: masker.maskFailure(failure),
      startedAt: new Date(lease.startedAt).toISOString(),
      at: new Date().toISOString(),
      ...(heartbeatDetails ? { heartbeatDetails: masker.mask(heartbeatDetails.details) } : {}),
      ...(traceparent ? { traceparent } : {}),
    });
  }

  async logs(lease: Lease, lines: readonly TaskLogLine[]): Promise<void> {
    const masker = await this.maskerOf(lease);
    await this.publish({
      kind: 'logs',
      ...this.base(lease),
      lines: masker.isEmpty ? [...lines] : lines.map((line) => ({ ...line, message: masker.maskText(line.message) })),
      at: new Date().toISOString(),
    });
  }

  /** A job that cannot be leased (a secret it reads is missing or cannot be opened): failed for good, never handed out. */
  async failUnleasable(fetched: FetchedJob, workerId: string, at: number, error: Error): Promise<void> {
    const { data } = fetched;
    await this.publish({
      kind: 'failed',
      runId: data.runId,
      taskRunId: data.taskRunId,
      attempt: data.attempt,
      workerId,
      error: { type: error.name, message: error.message, nonRetryable: true },
      startedAt: new Date(at).toISOString(),
      at: new Date().toISOString(),
    }).catch((publishError: Error) => this.logger.warn(`could not fail job ${fetched.job.id}: ${publishError.message}`));
    await fetched.job.moveToFailed(error, fetched.lockToken, false).catch(() => undefined);
  }

  /**
   * Ends the attempt's BullMQ job; true when this lease ended it (so it still held the job's lock).
   * A job already gone (removed by the engine, or ended before) or held by another is left alone.
   */
  async finishJob(lease: Lease, outcome: 'completed' | 'failed', reason = 'attempt ended'): Promise<boolean> {
    this.maskers.forget(lease.jobId);
    const leased = this.leasedJobs.get(lease.jobId);
    this.leasedJobs.delete(lease.jobId);
    try {
      const job = leased ?? (await this.transport.queue(taskQueueName(lease.type)).getJob(lease.jobId));
      if (!job || job.finishedOn) return false;
      if (outcome === 'completed') await job.moveToCompleted(null, lease.lockToken, false);
      else await job.moveToFailed(new Error(reason), lease.lockToken, false);
      return true;
    } catch (error) {
      // Another holder's lock, or a job the engine removed meanwhile: not this lease's to end.
      this.logger.debug(`job ${lease.jobId} not ended: ${(error as Error).message}`);
      return false;
    }
  }

  /** Keeps BullMQ's lock on the job; false when this lease no longer holds it. */
  async extendLock(lease: Lease, durationMs: number): Promise<boolean> {
    const queue = this.transport.queue(taskQueueName(lease.type));
    const backend = queue.getBackend() as unknown as { extendLock(jobId: string, token: string, duration: number): Promise<number> };
    return (await backend.extendLock(lease.jobId, lease.lockToken, durationMs)) === 1;
  }

  private base(lease: Lease) {
    return { runId: lease.runId, taskRunId: lease.taskRunId, attempt: lease.attempt, workerId: lease.workerId };
  }

  private publish(message: ResultMessage): Promise<void> {
    return this.transport.results().publish(message);
  }

  /** This scheduler's masker of the attempt, or one rebuilt from its job when another scheduler leased it. */
  private async maskerOf(lease: Lease): Promise<SecretMasker> {
    if (!lease.hasSecrets) return NO_SECRETS;
    const cached = this.maskers.get(lease.jobId);
    if (cached) return cached;
    const job = await this.transport.queue(taskQueueName(lease.type)).getJob(lease.jobId);
    // Unmasked values must never go out: with the job gone, nothing the worker sends for it is taken.
    if (!job) throw new Conflict(`attempt ${lease.attempt} of this task has ended and its job is gone: nothing more is taken for it`);
    const opened = openSecrets(job.data as TaskJob, this.config.secretKeyring);
    this.maskers.remember(lease.jobId, opened);
    return this.maskers.get(lease.jobId) ?? NO_SECRETS;
  }
}
