import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { CONTROL_QUEUE, QueueTransport, taskQueueName, type TaskJob, type TransportOptions, type WorkerInfo } from '@flowctl/queue';
import { ResultReporter } from './result-reporter';
import { toTaskFailure } from './task-failure.mapper';
import type { TaskContext, TaskHandler, TaskLogger } from './task-handler';

export interface TaskRunnerOptions {
  transport: TransportOptions;
  handlers: Record<string, TaskHandler>;
  /** Concurrent tasks per type: one number for all, or per type (`{ http: 20 }`), default 10. */
  concurrency?: number | Record<string, number>;
  workerId?: string;
  version?: string;
  logger?: TaskLogger;
  /** How often the worker tells the scheduler it is alive. */
  registrationIntervalMs?: number;
}

const DEFAULT_CONCURRENCY = 10;
const MIN_HEARTBEAT_INTERVAL_MS = 200;
/** Tasks still running after this long are reported as started on their own. */
const STARTED_REPORT_DELAY_MS = 100;
/** Outputs travel through the queue and PostgreSQL; past this they belong in object storage. */
const MAX_OUTPUT_BYTES = 1_048_576;

class TimeoutError extends Error {
  override name = 'Timeout';
}
class CancelledError extends Error {
  override name = 'Cancelled';
}
/** An attempt given back by a worker that is stopping: retryable, so another worker takes the next attempt at once. */
class WorkerShutdownError extends Error {
  override name = 'WorkerShutdown';
}

const consoleLogger: TaskLogger = {
  info: (message, fields) => console.log(JSON.stringify({ level: 'info', message, ...fields })),
  warn: (message, fields) => console.warn(JSON.stringify({ level: 'warn', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'error', message, ...fields })),
};

/**
 * Takes tasks from the queue of each type it serves, runs their handlers, and
 * reports start, heartbeats and outcome to the scheduler. Retries belong to
 * the scheduler (durable timers in PostgreSQL), so each job runs one attempt.
 */
export class TaskRunner {
  readonly workerId: string;
  private readonly transport: QueueTransport;
  private readonly reporter: ResultReporter;
  private readonly logger: TaskLogger;
  private readonly workers: ReturnType<QueueTransport['worker']>[] = [];
  private readonly running = new Map<string, AbortController>();
  private registration?: NodeJS.Timeout;
  private status: WorkerInfo['status'] = 'active';

  constructor(private readonly options: TaskRunnerOptions) {
    this.workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.transport = new QueueTransport(options.transport);
    this.reporter = new ResultReporter(this.transport);
    this.logger = options.logger ?? consoleLogger;
  }

  get types(): string[] {
    return Object.keys(this.options.handlers);
  }

  async start(): Promise<void> {
    for (const [type, handler] of Object.entries(this.options.handlers)) {
      const worker = this.transport.worker(
        taskQueueName(type),
        (job, _token, signal) => this.runJob(job.id!, job.data as TaskJob, handler, signal),
        {
          concurrency: this.concurrencyOf(type),
          // Finished jobs are trimmed by the options the scheduler set when adding them.
        },
      );
      worker.on('error', (error: Error) => this.logger.error(`queue ${type}: ${error.message}`));
      this.workers.push(worker);
    }
    const control = this.transport.events(CONTROL_QUEUE);
    control.on('cancel' as never, ((event: { jobIds?: string }) => this.cancel(String(event.jobIds ?? '').split(','))) as never);
    await this.register();
    this.registration = setInterval(() => void this.register().catch(() => undefined), this.options.registrationIntervalMs ?? 5_000);
  }

  /**
   * Stops taking tasks, lets running ones finish for up to graceMs, then hands
   * the rest back: each is aborted and reported failed as WorkerShutdown, so the
   * scheduler retries it on another worker at once rather than after a lock or
   * liveness timeout.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.status = 'draining';
    await this.register(0).catch(() => undefined);
    await Promise.all(this.workers.map((worker) => worker.pause(true).catch(() => undefined)));
    const deadline = Date.now() + graceMs;
    // Registrations keep going while draining: a silent worker is declared lost and its attempts failed.
    while (this.running.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    clearInterval(this.registration);
    for (const controller of this.running.values())
      controller.abort(new WorkerShutdownError(`worker ${this.workerId} stopped after its grace period`));
    this.status = 'stopped';
    await this.register(0).catch(() => undefined);
    await this.transport.close();
  }

  private concurrencyOf(type: string): number {
    const { concurrency } = this.options;
    if (typeof concurrency === 'number') return concurrency;
    return concurrency?.[type] ?? DEFAULT_CONCURRENCY;
  }

  private cancel(jobIds: string[], reason = 'run cancelled'): void {
    for (const jobId of jobIds) this.running.get(jobId)?.abort(new CancelledError(reason));
  }

  private async register(deadlineMs?: number): Promise<void> {
    // Three intervals: one late mark does not make the worker look gone.
    if (this.status !== 'stopped')
      await this.transport.markAlive(this.workerId, 3 * (this.options.registrationIntervalMs ?? 5_000)).catch(() => undefined);
    const concurrency = this.types.reduce((sum, type) => sum + this.concurrencyOf(type), 0);
    await this.reporter.send(
      {
        kind: 'worker',
        at: new Date().toISOString(),
        worker: {
          id: this.workerId,
          host: hostname(),
          types: this.types,
          concurrency,
          version: this.options.version ?? '0.1.0',
          status: this.status,
          running: this.running.size,
        },
      },
      deadlineMs,
    );
  }

  private async runJob(jobId: string, job: TaskJob, handler: TaskHandler, queueSignal?: AbortSignal): Promise<void> {
    const controller = new AbortController();
    this.running.set(jobId, controller);
    queueSignal?.addEventListener('abort', () => controller.abort(new CancelledError('job cancelled')), { once: true });
    const timer = job.timeoutMs
      ? setTimeout(
          () => controller.abort(new TimeoutError(`attempt exceeded its start-to-close timeout of ${job.timeoutMs}ms`)),
          job.timeoutMs,
        )
      : undefined;
    const startedAt = new Date().toISOString();
    const checkpoint: { details?: unknown; set: boolean } = { set: false };
    const base = { runId: job.runId, taskRunId: job.taskRunId, attempt: job.attempt, workerId: this.workerId };
    const fields = { runId: job.runId, task: job.task, attempt: job.attempt };
    // Like Temporal's lazily written ActivityTaskStarted: a task that ends quickly is reported
    // once, with its start time inside the outcome, which halves the scheduler's work per task.
    const startedReport = setTimeout(
      () => void this.reporter.send({ kind: 'started', ...base, at: startedAt }).catch(() => undefined),
      STARTED_REPORT_DELAY_MS,
    );
    try {
      const output = await this.raceAbort(
        handler(job.input, this.contextFor(job, controller.signal, fields, checkpoint)),
        controller.signal,
      );
      const size = Buffer.byteLength(JSON.stringify(output ?? null));
      if (size > MAX_OUTPUT_BYTES)
        throw Object.assign(new Error(`output is ${size} bytes; the limit is ${MAX_OUTPUT_BYTES}`), {
          name: 'OutputTooLarge',
          nonRetryable: true,
        });
      await this.reporter.send({ kind: 'succeeded', ...base, output: output ?? null, startedAt, at: new Date().toISOString() });
    } catch (error) {
      const failure = toTaskFailure(controller.signal.aborted ? controller.signal.reason : error);
      this.logger.warn(`task failed: ${failure.type}: ${failure.message}`, fields);
      await this.reporter.send({
        kind: 'failed',
        ...base,
        error: failure,
        startedAt,
        at: new Date().toISOString(),
        ...(checkpoint.set ? { heartbeatDetails: checkpoint.details } : {}),
      });
    } finally {
      clearTimeout(startedReport);
      clearTimeout(timer);
      this.running.delete(jobId);
    }
  }

  /** A handler that ignores its signal still has its attempt ended on time; its late result is dropped. */
  private raceAbort<T>(work: Promise<T> | T, signal: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      Promise.resolve(work).then(resolve, reject);
    });
  }

  private contextFor(
    job: TaskJob,
    signal: AbortSignal,
    fields: Record<string, unknown>,
    checkpoint: { details?: unknown; set: boolean },
  ): TaskContext {
    const interval = Math.max(MIN_HEARTBEAT_INTERVAL_MS, Math.floor((job.heartbeatTimeoutMs ?? 30_000) / 3));
    let lastSent = 0;
    let pending: { details: unknown } | undefined;
    let flushTimer: NodeJS.Timeout | undefined;
    const flush = () => {
      flushTimer = undefined;
      if (!pending || signal.aborted) return;
      const { details } = pending;
      pending = undefined;
      lastSent = Date.now();
      void this.reporter
        .send({
          kind: 'heartbeat',
          runId: job.runId,
          taskRunId: job.taskRunId,
          attempt: job.attempt,
          workerId: this.workerId,
          details,
          at: new Date().toISOString(),
        })
        .catch(() => undefined);
    };
    const logger = this.logger;
    return {
      attempt: job.attempt,
      idempotencyKey: job.idempotencyKey,
      runId: job.runId,
      taskName: job.task,
      workflow: job.workflow,
      lastHeartbeatDetails: job.lastHeartbeatDetails,
      signal,
      heartbeat: (details?: unknown) => {
        // Throttled: the latest details win and at most one report goes out per interval.
        pending = { details };
        if (details !== undefined) {
          checkpoint.details = details;
          checkpoint.set = true;
        }
        if (flushTimer) return;
        flushTimer = setTimeout(flush, Math.max(0, lastSent + interval - Date.now()));
      },
      logger: {
        info: (message, extra) => logger.info(message, { ...fields, ...extra }),
        warn: (message, extra) => logger.warn(message, { ...fields, ...extra }),
        error: (message, extra) => logger.error(message, { ...fields, ...extra }),
      },
    };
  }
}
