import { hostname } from 'node:os';
import { CancelledError, MAX_OUTPUT_BYTES, WorkerShutdownError } from '../attempt-errors';
import { abortAtDeadline, HeartbeatThrottle, heartbeatIntervalFor, raceAbort } from '../attempt-timing';
import { randomBytes } from 'node:crypto';
import type { TaskFailure } from '@flowctl/core';
import { NO_SECRETS, SecretMasker } from '../secret-masker';
import { toTaskFailure } from '../task-failure.mapper';
import type { TaskContext, TaskHandler, TaskLogger } from '../task-handler';
import { AttemptLogShipper } from './attempt-log-shipper';
import { ReportBatcher, type AttemptReport } from './report-batcher';
import type { LeasedTask } from './leased-task';
import { isTransient, leasePath, messageOf, WorkerApiClient, WorkerApiRefused } from './worker-api-client';

export interface HttpTaskRunnerOptions {
  /** The scheduler's address, e.g. `http://127.0.0.1:8080` (FLOWCTL_SERVER). */
  server: string;
  /** An API token of role `worker` (FLOWCTL_TOKEN); none when the server runs without auth. */
  token?: string;
  handlers: Record<string, TaskHandler>;
  /** Tasks run at once, all types together; default 10. */
  concurrency?: number;
  workerId?: string;
  version?: string;
  /** How long one poll waits for work (at most 30 s). */
  pollWaitMs?: number;
  /** Where the runner notes its own trouble (an unreachable server, a refused report); default console. */
  logger?: TaskLogger;
}

const DEFAULT_CONCURRENCY = 10;
const MAX_BATCH = 100;
/** How long a report (complete, fail) is retried through a server outage before it is given up. */
const REPORT_DEADLINE_MS = 120_000;
const MAX_POLL_BACKOFF_MS = 10_000;
/** How long a busy runner waits for more free slots before it polls for the ones it has. */
const GATHER_MS = 10;

/** The server said the attempt is over (409): nothing more is reported for it. */
class LeaseEnded extends Error {
  override name = 'LeaseEnded';
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

const consoleLogger: TaskLogger = {
  info: (message, fields) => console.info(message, fields ?? ''),
  warn: (message, fields) => console.warn(message, fields ?? ''),
  error: (message, fields) => console.error(message, fields ?? ''),
};

/**
 * Runs task handlers for a flowctl server over its HTTP worker protocol: only
 * a URL and a token, no database or Redis. Same handlers and TaskContext as
 * the native TaskRunner: it long-polls for as many tasks as it has free slots,
 * heartbeats each attempt every third of its heartbeat timeout (carrying the
 * latest ctx.heartbeat details), fires ctx.signal on cancel, on the server's
 * 409 and at the attempt's deadline, and reports outcomes until the server
 * acknowledges them.
 */
export class HttpTaskRunner {
  readonly workerId: string;
  private readonly client: WorkerApiClient;
  private readonly reports: ReportBatcher;
  private readonly concurrency: number;
  private readonly logger: TaskLogger;
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;
  private slotFreed?: () => void;

  constructor(private readonly options: HttpTaskRunnerOptions) {
    this.workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.client = new WorkerApiClient(options.server, options.token);
    this.reports = new ReportBatcher(this.client, REPORT_DEADLINE_MS);
    this.concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
    this.logger = options.logger ?? consoleLogger;
  }

  get types(): string[] {
    return Object.keys(this.options.handlers);
  }

  /** Starts polling; returns at once. */
  start(): void {
    this.loop ??= this.pollLoop();
  }

  /**
   * Takes no more tasks, lets running ones finish for up to graceMs, then
   * hands the rest back as a retryable `WorkerShutdown` failure, so another
   * worker takes their next attempt at once.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping.abort();
    await this.loop;
    const deadline = Date.now() + graceMs;
    while (this.running.size > 0 && Date.now() < deadline)
      await Promise.race([...this.running.values()].map((r) => r.done).concat(sleep(50)));
    for (const { controller } of this.running.values())
      controller.abort(new WorkerShutdownError(`worker ${this.workerId} stopped after its grace period`));
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  private async pollLoop(): Promise<void> {
    let backoff = 500;
    while (!this.stopping.signal.aborted) {
      if (this.concurrency - this.running.size <= 0) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      await this.gatherFreeSlots();
      const free = this.concurrency - this.running.size;
      try {
        const answer = await this.client.post<{ tasks: LeasedTask[] }>(
          '/poll',
          {
            workerId: this.workerId,
            types: this.types,
            max: Math.min(free, MAX_BATCH),
            waitMs: this.options.pollWaitMs ?? 30_000,
            concurrency: this.concurrency,
            host: hostname(),
            version: this.options.version ?? 'flowctl-worker-node/0.1.0',
          },
          this.stopping.signal,
        );
        if (answer.status !== 200) {
          if (!isTransient(answer.status))
            throw new WorkerApiRefused(answer.status, `poll refused (${answer.status}): ${messageOf(answer)}`);
          throw new Error(`poll answered ${answer.status}: ${messageOf(answer)}`);
        }
        backoff = 500;
        for (const task of answer.body.tasks) this.begin(task);
      } catch (error) {
        if (this.stopping.signal.aborted) break;
        this.logger.warn(`flowctl worker ${this.workerId}: ${(error as Error).message}; polling again in ${backoff}ms`);
        await sleep(backoff, this.stopping.signal);
        backoff = Math.min(backoff * 2, MAX_POLL_BACKOFF_MS);
      }
    }
  }

  /**
   * Busy, with a few slots free: waits a moment for more to free up, so one
   * poll asks for several tasks instead of each finished task costing a poll.
   */
  private async gatherFreeSlots(): Promise<void> {
    const enough = Math.max(1, Math.ceil(this.concurrency / 5));
    const until = Date.now() + GATHER_MS;
    while (this.running.size > 0 && this.concurrency - this.running.size < enough && Date.now() < until && !this.stopping.signal.aborted)
      await Promise.race([new Promise<void>((resolve) => (this.slotFreed = resolve)), sleep(until - Date.now())]);
  }

  private begin(task: LeasedTask): void {
    const controller = new AbortController();
    const done = this.runAttempt(task, controller)
      .catch((error: Error) => this.logger.error(`task ${task.task} attempt ${task.attempt}: ${error.message}`))
      .finally(() => {
        this.running.delete(task.leaseId);
        this.slotFreed?.();
        this.slotFreed = undefined;
      });
    this.running.set(task.leaseId, { controller, done });
  }

  private async runAttempt(task: LeasedTask, controller: AbortController): Promise<void> {
    const handler = this.options.handlers[task.type];
    const masker = task.secrets ? new SecretMasker(Object.values(task.secrets)) : NO_SECRETS;
    const shipper = new AttemptLogShipper(this.client, task.leaseId, masker);
    const checkpoint: { details?: unknown; set: boolean } = { set: false };
    let ended = false;

    const beat = async () => {
      if (ended) return;
      throttle.sent();
      const body = checkpoint.set ? { details: masker.mask(checkpoint.details) } : {};
      try {
        const answer = await this.client.post<{ cancelRequested?: boolean }>(leasePath(task.leaseId, 'heartbeat'), body);
        if (answer.status === 409 || answer.status === 404) controller.abort(new LeaseEnded(messageOf(answer)));
        else if (answer.status === 200 && answer.body.cancelRequested) controller.abort(new CancelledError('run cancelled'));
      } catch {
        // The next beat tries again; a server gone for the whole heartbeat timeout ends the attempt there.
      }
    };
    const interval = heartbeatIntervalFor(task.heartbeatTimeoutMs);
    const throttle = new HeartbeatThrottle(interval, () => void beat(), Date.now());
    const beats = setInterval(() => void beat(), interval);
    const deadline = abortAtDeadline(
      controller,
      task.deadline ? Date.parse(task.deadline) - Date.now() : undefined,
      `attempt exceeded its start-to-close deadline ${task.deadline}`,
    );

    const context: TaskContext = {
      attempt: task.attempt,
      idempotencyKey: task.idempotencyKey,
      runId: task.runId,
      taskName: task.task,
      workflow: task.workflow,
      lastHeartbeatDetails: task.lastHeartbeatDetails ?? undefined,
      signal: controller.signal,
      heartbeat: (details?: unknown) => {
        if (details !== undefined) {
          checkpoint.details = details;
          checkpoint.set = true;
        }
        if (!ended && !controller.signal.aborted) throttle.request();
      },
      logger: {
        info: (message, fields) => shipper.write('info', message, fields),
        warn: (message, fields) => shipper.write('warn', message, fields),
        error: (message, fields) => shipper.write('error', message, fields),
      },
      processOutput: (stream, line) => shipper.write(stream === 'stderr' ? 'warn' : 'info', line, undefined, stream),
      logDrained: () => shipper.drained(),
    };

    try {
      if (!handler) throw Object.assign(new Error(`this worker has no handler for type ${task.type}`), { name: 'NoHandler' });
      const output = await raceAbort(
        Promise.resolve().then(() => handler(task.input, context)),
        controller.signal,
      );
      const masked = masker.mask(output ?? null);
      const size = Buffer.byteLength(JSON.stringify(masked));
      if (size > MAX_OUTPUT_BYTES)
        throw Object.assign(new Error(`output is ${size} bytes; the limit is ${MAX_OUTPUT_BYTES}`), {
          name: 'OutputTooLarge',
          nonRetryable: true,
        });
      clearInterval(beats);
      await shipper.flush();
      const refusal = await this.report(task, 'complete', { output: masked });
      // The server would not take the output: the attempt fails with its reason rather than hang until a timeout.
      if (refusal) await this.report(task, 'fail', { error: { type: 'OutputRejected', message: refusal, nonRetryable: true } });
    } catch (error) {
      clearInterval(beats);
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      if (reason instanceof LeaseEnded) return;
      const failure: TaskFailure = masker.maskFailure(toTaskFailure(reason));
      await shipper.flush();
      await this.report(task, 'fail', { error: failure, ...(checkpoint.set ? { details: masker.mask(checkpoint.details) } : {}) });
    } finally {
      clearInterval(beats);
      clearTimeout(deadline);
      throttle.stop();
      ended = true;
    }
  }

  /**
   * Until the server acknowledges or says the attempt is over: a lost outcome would strand the task
   * until it times out. Outcomes finishing together go in one call (see ReportBatcher).
   * Resolves the server's reason when it refused the report for good, else undefined.
   */
  private async report(task: LeasedTask, what: 'complete' | 'fail', body: Record<string, unknown>): Promise<string | undefined> {
    const report = { leaseId: task.leaseId, outcome: what === 'complete' ? 'completed' : 'failed', ...body } as AttemptReport;
    const answer = await this.reports.send(report);
    if (answer.status === 'undelivered')
      this.logger.error(`could not report the ${what} of task ${task.task} attempt ${task.attempt}; it will time out on the server`);
    if (answer.status !== 'refused') return undefined;
    this.logger.error(`flowctl refused the ${what} of task ${task.task} attempt ${task.attempt}: ${answer.message ?? ''}`);
    return answer.message ?? 'refused';
  }
}
