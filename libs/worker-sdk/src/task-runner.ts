import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import { fillSecretSlots } from '@flowctl/core';
import { contextOf, getLogger, isTracingEnabled, traceparentOf, tracer } from '@flowctl/observability';
import {
  CONTROL_QUEUE,
  QueueTransport,
  SecretUnreadable,
  taskQueueName,
  type SecretKeyring,
  type ResultMessage,
  type TaskJob,
  type TransportOptions,
  type WorkerInfo,
} from '@flowctl/queue';
import { ConsoleCapture } from './console-capture';
import { CancelledError, MAX_OUTPUT_BYTES, WorkerShutdownError } from './attempt-errors';
import { abortAtDeadline, HeartbeatThrottle, heartbeatIntervalFor, raceAbort } from './attempt-timing';
import { ResultReporter } from './result-reporter';
import { NO_SECRETS, SecretMasker } from './secret-masker';
import { TaskLogShipper, type LogAttempt, type TaskLogShipperOptions } from './task-log-shipper';
import { TaskRunnerMetrics } from './task-runner-metrics';
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
  /** FLOWCTL_SECRET_KEY (see SecretKeyring.fromConfig): opens the secrets tasks read. Without it, such tasks fail. */
  secretKeyring?: SecretKeyring;
  /** Where to record task duration, queue wait and outcomes (served by the worker's /metrics). */
  metrics?: Registry;
  /** How the attempts' log lines are batched to the scheduler (defaults suit most workers). */
  logShipping?: TaskLogShipperOptions;
  /** Also keep what handlers write with `console.log`/`console.error` in the attempt's log (see captureConsole). */
  captureConsole?: boolean;
}

const DEFAULT_CONCURRENCY = 10;
/** Tasks still running after this long are reported as started on their own. */
const STARTED_REPORT_DELAY_MS = 100;
/** Log lines are worth less than outcomes: past this a batch is given up rather than held through an outage. */
const LOG_SEND_DEADLINE_MS = 30_000;

/** A secret the task reads is not set in its namespace: setting it (then retrying the run) is the fix, not another attempt. */
class SecretNotFound extends Error {
  override name = 'SecretNotFound';
  readonly nonRetryable = true;
}

/** How often a worker whose outcomes carry log lines asks again whether every scheduler still takes them (ResultsChannel.readersTakeLogTails). */
const READERS_CHECK_MS = 30_000;

/** JSON lines through the process's pino logger; run, task and attempt come from the log context of the attempt. */
function defaultLogger(): TaskLogger {
  const logger = getLogger('task-runner');
  return {
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
  };
}

/**
 * Takes tasks from the queue of each type it serves, runs their handlers, and
 * reports start, heartbeats and outcome to the scheduler. Retries belong to
 * the scheduler (durable timers in PostgreSQL), so each job runs one attempt.
 */
export class TaskRunner {
  readonly workerId: string;
  private readonly transport: QueueTransport;
  private readonly reporter: ResultReporter;
  private readonly logShipper: TaskLogShipper;
  private readonly logger: TaskLogger;
  private readonly metrics?: TaskRunnerMetrics;
  /** The runner's own per-attempt lines (debug level); a handler's lines go through `logger`. */
  private readonly attemptLog = getLogger('task-runner');
  private readonly workers: ReturnType<QueueTransport['worker']>[] = [];
  private readonly running = new Map<string, AbortController>();
  private registration?: NodeJS.Timeout;
  private status: WorkerInfo['status'] = 'active';
  /** Every scheduler takes an attempt's last lines inside its outcome: asked with each registration until they do, then every READERS_CHECK_MS. */
  private outcomesCarryLogs = false;
  private readersCheckedAt = 0;

  constructor(private readonly options: TaskRunnerOptions) {
    this.workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.transport = new QueueTransport(options.transport);
    this.reporter = new ResultReporter(this.transport);
    this.logShipper = new TaskLogShipper(
      this.workerId,
      (messages) => this.reporter.sendMany(messages, LOG_SEND_DEADLINE_MS),
      options.logShipping,
      async () => (await this.transport.results().backlog()).reports,
    );
    this.logger = options.logger ?? defaultLogger();
    this.metrics = options.metrics ? new TaskRunnerMetrics(options.metrics) : undefined;
  }

  get types(): string[] {
    return Object.keys(this.options.handlers);
  }

  async start(): Promise<void> {
    if (this.options.captureConsole) ConsoleCapture.install();
    for (const [type, handler] of Object.entries(this.options.handlers)) {
      const worker = this.transport.worker(
        taskQueueName(type),
        (job, _token, signal) => {
          const data = job.data as TaskJob;
          return this.traced(data, (span) => this.runJob(job.id!, data, handler, signal, job.timestamp, span));
        },
        {
          concurrency: this.concurrencyOf(type),
          // Stored on each job it takes: should this worker die before it reports a start, the leader finds its jobs by it.
          name: this.workerId,
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
    await this.logShipper.close().catch(() => undefined);
    await this.register(0).catch(() => undefined);
    await this.transport.close();
  }

  /** Whether this worker can reach the queues it takes tasks from (its /healthz). */
  async probeQueues(timeoutMs = 2_000): Promise<void> {
    await this.transport.probe(timeoutMs);
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
    if (!this.outcomesCarryLogs || Date.now() - this.readersCheckedAt >= READERS_CHECK_MS) {
      this.readersCheckedAt = Date.now();
      this.outcomesCarryLogs = await this.transport
        .results()
        .readersTakeLogTails()
        .catch(() => false);
    }
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

  /** The attempt's span, under the dispatch's trace context from the job; skipped entirely when tracing is off. */
  private traced(job: TaskJob, work: (span?: Span) => Promise<void>): Promise<void> {
    if (!isTracingEnabled()) return work();
    return tracer().startActiveSpan(
      `task ${job.type}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'flowctl.run.id': job.runId,
          'flowctl.workflow': job.workflow,
          'flowctl.task.name': job.task,
          'flowctl.task.type': job.type,
          'flowctl.task.attempt': job.attempt,
          'flowctl.task_run.id': job.taskRunId,
          'flowctl.worker.id': this.workerId,
        },
      },
      contextOf(job.traceparent),
      (span) => work(span).finally(() => span.end()),
    );
  }

  private async runJob(
    jobId: string,
    job: TaskJob,
    handler: TaskHandler,
    queueSignal: AbortSignal | undefined,
    enqueuedAtMs: number | undefined,
    span: Span | undefined,
  ): Promise<void> {
    const startedAtMs = Date.now();
    this.metrics?.started(job.type, enqueuedAtMs, startedAtMs);
    let outcome: 'succeeded' | 'failed' = 'failed';
    let endedAtMs: number | undefined;
    // Passed explicitly, not through an async context: AsyncLocalStorage would tax every promise of the worker on Node 20.
    const fields = { runId: job.runId, task: job.task, attempt: job.attempt, taskRunId: job.taskRunId };
    if (this.attemptLog.isLevelEnabled('debug')) this.attemptLog.debug({ ...fields, type: job.type, jobId }, 'attempt started');
    const controller = new AbortController();
    this.running.set(jobId, controller);
    queueSignal?.addEventListener('abort', () => controller.abort(new CancelledError('job cancelled')), { once: true });
    const timer = abortAtDeadline(
      controller,
      job.timeoutMs || undefined,
      `attempt exceeded its start-to-close timeout of ${job.timeoutMs}ms`,
    );
    const startedAt = new Date().toISOString();
    const checkpoint: { details?: unknown; set: boolean } = { set: false };
    const traceparent = span ? traceparentOf(span) : undefined;
    const base = {
      runId: job.runId,
      taskRunId: job.taskRunId,
      attempt: job.attempt,
      workerId: this.workerId,
      ...(traceparent ? { traceparent } : {}),
    };
    // Like Temporal's lazily written ActivityTaskStarted: a task that ends quickly is reported
    // once, with its start time inside the outcome, which halves the scheduler's work per task.
    const startedReport = setTimeout(
      () => void this.reporter.send({ kind: 'started', ...base, at: startedAt }).catch(() => undefined),
      STARTED_REPORT_DELAY_MS,
    );
    // Everything this attempt sends or logs goes through the masker: the values it opened never leave the worker.
    let masker = NO_SECRETS;
    const logAttempt = { runId: job.runId, taskRunId: job.taskRunId, attempt: job.attempt };
    try {
      const opened = this.openSecrets(job);
      masker = new SecretMasker(opened.values());
      const input = opened.size > 0 ? fillSecretSlots(job.input, job.secretSlots!, opened) : job.input;
      const context = this.contextFor(job, controller.signal, fields, checkpoint, masker);
      const run = () => handler(input, context);
      const work = this.options.captureConsole
        ? ConsoleCapture.run((level, text) => this.logShipper.write(logAttempt, level, 'log', masker.maskText(text)), run)
        : run();
      const output = masker.mask(await raceAbort(work, controller.signal));
      const size = Buffer.byteLength(JSON.stringify(output ?? null));
      if (size > MAX_OUTPUT_BYTES)
        throw Object.assign(new Error(`output is ${size} bytes; the limit is ${MAX_OUTPUT_BYTES}`), {
          name: 'OutputTooLarge',
          nonRetryable: true,
        });
      endedAtMs = Date.now();
      outcome = 'succeeded';
      await this.reporter.sendMany(
        this.withLastLines(logAttempt, { kind: 'succeeded', ...base, output: output ?? null, startedAt, at: new Date().toISOString() }),
      );
    } catch (error) {
      endedAtMs ??= Date.now();
      const failure = masker.maskFailure(toTaskFailure(controller.signal.aborted ? controller.signal.reason : error));
      span?.setStatus({ code: SpanStatusCode.ERROR, message: `${failure.type}: ${failure.message}` });
      span?.setAttribute('flowctl.task.error_type', failure.type);
      this.logger.warn(`task failed: ${failure.type}: ${failure.message}`, fields);
      await this.reporter.sendMany(
        this.withLastLines(logAttempt, {
          kind: 'failed',
          ...base,
          error: failure,
          startedAt,
          at: new Date().toISOString(),
          ...(checkpoint.set ? { heartbeatDetails: checkpoint.details } : {}),
        }),
      );
    } finally {
      clearTimeout(startedReport);
      clearTimeout(timer);
      this.running.delete(jobId);
      this.metrics?.finished(job.type, outcome, ((endedAtMs ?? Date.now()) - startedAtMs) / 1000);
      if (outcome === 'succeeded' && this.attemptLog.isLevelEnabled('debug'))
        this.attemptLog.debug({ ...fields, type: job.type, durationMs: (endedAtMs ?? Date.now()) - startedAtMs }, 'attempt succeeded');
    }
  }

  /**
   * The attempt's outcome with its unsent lines, so a reader that sees the attempt end has them all: inside
   * it when the schedulers take that and they fit one message (one report per attempt, not two), else as
   * messages of their own just ahead of it, in the same write.
   */
  private withLastLines(attempt: LogAttempt, outcome: Extract<ResultMessage, { kind: 'succeeded' | 'failed' }>): ResultMessage[] {
    const lines = this.logShipper.takeAttempt(attempt);
    if (lines.length === 0) return [outcome];
    if (lines.length > 1 || !this.outcomesCarryLogs) return [...lines, outcome];
    const [{ lines: last, dropped }] = lines as [(typeof lines)[0]];
    return [{ ...outcome, logs: dropped ? { lines: last, dropped } : { lines: last } }];
  }

  /** The values of the secrets the job's slots read; a missing or unreadable one fails the attempt, never retried. */
  private openSecrets(job: TaskJob): Map<string, string> {
    const opened = new Map<string, string>();
    if (!job.secretSlots?.length) return opened;
    for (const [name, sealed] of Object.entries(job.secrets ?? {})) {
      if (sealed === null) throw new SecretNotFound(`secret ${name} is not set in namespace ${job.namespace}`);
      if (!this.options.secretKeyring)
        throw Object.assign(new SecretUnreadable(`secret ${name} cannot be opened: this worker has no FLOWCTL_SECRET_KEY`), {
          nonRetryable: true,
        });
      try {
        opened.set(name, this.options.secretKeyring.open(job.namespace, name, sealed));
      } catch (error) {
        throw Object.assign(error as Error, { nonRetryable: true });
      }
    }
    return opened;
  }

  private contextFor(
    job: TaskJob,
    signal: AbortSignal,
    fields: Record<string, unknown>,
    checkpoint: { details?: unknown; set: boolean },
    masker: SecretMasker,
  ): TaskContext {
    let pending: { details: unknown } | undefined;
    const flush = () => {
      if (!pending || signal.aborted) return;
      const { details } = pending;
      pending = undefined;
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
    const throttle = new HeartbeatThrottle(heartbeatIntervalFor(job.heartbeatTimeoutMs), flush);
    const logger = this.logger;
    const shipper = this.logShipper;
    const attempt = { runId: job.runId, taskRunId: job.taskRunId, attempt: job.attempt };
    const log = (level: 'info' | 'warn' | 'error', message: string, extra: Record<string, unknown> | undefined) => {
      const text = masker.maskText(String(message));
      const masked = extra === undefined ? undefined : masker.mask(extra);
      shipper.write(attempt, level, 'log', masked && Object.keys(masked).length > 0 ? `${text} ${safeJson(masked)}` : text);
      logger[level](text, { ...fields, ...masked });
    };
    return {
      attempt: job.attempt,
      idempotencyKey: job.idempotencyKey,
      runId: job.runId,
      taskName: job.task,
      workflow: job.workflow,
      lastHeartbeatDetails: job.lastHeartbeatDetails,
      signal,
      heartbeat: (unmasked?: unknown) => {
        // Masked now, so the checkpoint kept for a failure report is masked too.
        const details = masker.mask(unmasked);
        // Throttled: the latest details win and at most one report goes out per interval.
        pending = { details };
        if (details !== undefined) {
          checkpoint.details = details;
          checkpoint.set = true;
        }
        throttle.request();
      },
      logger: {
        info: (message, extra) => log('info', message, extra),
        warn: (message, extra) => log('warn', message, extra),
        error: (message, extra) => log('error', message, extra),
      },
      processOutput: (stream, line) => shipper.write(attempt, 'info', stream, masker.maskText(line)),
      logDrained: () => shipper.drained(),
    };
  }
}

/** Fields of a log line as JSON; a value JSON cannot hold (a cycle, a BigInt) costs the fields, never the line. */
function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '[unserializable fields]';
  }
}
