import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { join } from 'node:path';
import { QueueTransport, removeInstallationKeys } from '@flowctl/queue';
import { startNodeProcess, waitForHttp, type ManagedProcess } from '../../apps/flowctl/src/dev/child-process';
import { freePort } from '../../apps/flowctl/src/dev/embedded-database';
import { TestApi } from './api-client';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from './test-database';
import { waitFor } from './wait-for';

const ROOT = join(__dirname, '..', '..');
export const SCHEDULER_MAIN = join(ROOT, 'dist', 'apps', 'scheduler', 'src', 'main.js');
export const WORKER_MAIN = join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js');
export const CLI_MAIN = join(ROOT, 'dist', 'apps', 'flowctl', 'src', 'main.js');

/** Keeps the tail of a process's output so a failing test can show what the servers said. */
class OutputTail {
  private lines: string[] = [];
  /** Every line ever written, so a test that searches the whole output can tell none was dropped. */
  linesWritten = 0;
  write(text: string): void {
    const lines = text.split('\n').filter(Boolean);
    this.linesWritten += lines.length;
    this.lines.push(...lines);
    if (this.lines.length > 400) this.lines.splice(0, this.lines.length - 400);
  }
  toString(): string {
    return this.lines.join('\n');
  }
}

export interface StackOptions {
  label: string;
  /** Queues on Redis (default) or on BullMQ's PostgreSQL backend, as `flowctl dev` runs without Redis. */
  transport?: 'redis' | 'postgres';
  workers?: number;
  schedulerEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
  /** A Redis of the test's own (a fault test that kills or flushes it); default the shared one. */
  redisUrl?: string;
  /** Called for every process the stack starts, as it starts: a test that reads a process's own output listens here. */
  onProcess?: (managed: ManagedProcess) => void;
  /** A database of the test's own (a fault test that restarts PostgreSQL); default a new one on the shared PostgreSQL. */
  database?: TestDatabase;
}

/**
 * A real flowctl: scheduler and worker processes from the build, on their own
 * database (on the shared PostgreSQL) and their own queue prefix (on the shared
 * Redis), so test files run side by side without seeing each other.
 */
export class FlowctlStack {
  readonly api: TestApi;
  readonly output = new OutputTail();
  private readonly processes: ManagedProcess[] = [];
  private onProcess?: (managed: ManagedProcess) => void;

  private constructor(
    readonly url: string,
    readonly database: TestDatabase,
    readonly env: Record<string, string>,
    adminToken?: string,
  ) {
    // With an admin token configured, the stack's own calls (waiting for workers, for runs) use it.
    this.api = new TestApi(url, adminToken);
  }

  static async start(options: StackOptions): Promise<FlowctlStack> {
    const database = options.database ?? (await createTestDatabase(options.label));
    const port = await freePort();
    const prefix = `t${randomBytes(4).toString('hex')}`;
    const env: Record<string, string> = {
      DATABASE_URL: database.url,
      REDIS_URL: options.transport === 'postgres' ? '' : (options.redisUrl ?? TEST_REDIS_URL),
      FLOWCTL_QUEUE_PREFIX: prefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      FLOWCTL_LEASE_TTL: '3s',
    };
    const stack = new FlowctlStack(`http://127.0.0.1:${port}`, database, env, options.schedulerEnv?.FLOWCTL_ADMIN_TOKEN);
    stack.onProcess = options.onProcess;
    try {
      await stack.startScheduler(options.schedulerEnv);
      for (let i = 0; i < (options.workers ?? 1); i++) stack.startWorker(options.workerEnv);
      await waitFor(async () => (await stack.api.get('/workers')).body.items?.length >= (options.workers ?? 1), {
        timeoutMs: 30_000,
        what: 'workers to register',
      });
    } catch (error) {
      await stack.stop();
      throw new Error(`${(error as Error).message}\n--- server output ---\n${stack.output}`, { cause: error });
    }
    return stack;
  }

  async startScheduler(env: Record<string, string> = {}): Promise<ManagedProcess> {
    const scheduler = startNodeProcess('scheduler', SCHEDULER_MAIN, { ...this.env, ...env }, this.output);
    this.processes.push(scheduler);
    this.onProcess?.(scheduler);
    // A second scheduler (a standby) listens on the PORT its env gives it.
    const url = env.PORT ? `http://127.0.0.1:${env.PORT}` : this.url;
    await waitForHttp(`${url}/api/v1/readyz`, 30_000, () => scheduler.child.exitCode === null);
    return scheduler;
  }

  startWorker(env: Record<string, string> = {}): ManagedProcess {
    const worker = startNodeProcess('worker', WORKER_MAIN, { ...this.env, WORKER_CONCURRENCY: '20', ...env }, this.output);
    this.processes.push(worker);
    this.onProcess?.(worker);
    return worker;
  }

  /** SIGKILL every live scheduler of this stack, as a crash would, and wait until they are gone. */
  async killScheduler(): Promise<void> {
    const live = this.processesNamed('scheduler').filter((managed) => managed.child.exitCode === null && managed.child.signalCode === null);
    for (const managed of live) managed.child.kill('SIGKILL');
    await Promise.all(live.map((managed) => managed.exited));
  }

  /** The processes started under this name (`scheduler`, `worker`, ...), oldest first. */
  processesNamed(name: string): ManagedProcess[] {
    return this.processes.filter((managed) => managed.name === name);
  }

  /** Starts another Node script (a custom worker, say) on this stack's database and queues; stopped with the stack. */
  startNodeScript(name: string, script: string, env: Record<string, string> = {}): ManagedProcess {
    const managed = startNodeProcess(name, script, { ...this.env, ...env }, this.output);
    this.processes.push(managed);
    this.onProcess?.(managed);
    return managed;
  }

  /** Polls the run until it reaches a terminal status; returns the run with its tasks. */
  async waitForRun(runId: string, timeoutMs = 30_000): Promise<any> {
    return waitFor(
      async () => {
        const { body } = await this.api.get(`/runs/${runId}`);
        return ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(body.status) ? body : undefined;
      },
      { timeoutMs, what: `run ${runId} to finish` },
    );
  }

  private transport?: QueueTransport;

  /** The stack's queues and results channel, as a worker of the test's own sees them (a ghost worker, hand-sent reports). */
  queues(): QueueTransport {
    this.transport ??= new QueueTransport({
      redisUrl: this.env.REDIS_URL || undefined,
      postgresUrl: this.env.REDIS_URL ? undefined : this.database.url,
      prefix: this.env.FLOWCTL_QUEUE_PREFIX,
    });
    return this.transport;
  }

  /**
   * Waits until the leader has marked this worker lost in the workers table (the API's
   * view also calls a worker lost from its heartbeat's age alone, so it is not asked).
   */
  async waitForWorkerMarkedLost(workerId: string, timeoutMs: number): Promise<void> {
    const db = new Client({ connectionString: this.database.url });
    await db.connect();
    try {
      await waitFor(async () => (await db.query('SELECT status FROM workers WHERE id = $1', [workerId])).rows[0]?.status === 'lost', {
        timeoutMs,
        what: `the leader to mark worker ${workerId} lost`,
      });
    } finally {
      await db.end();
    }
  }

  async stop(): Promise<void> {
    await this.transport?.close();
    await Promise.all([...this.processes].reverse().map((p) => p.stop(5_000)));
    this.processes.length = 0;
    await this.database.drop().catch(() => undefined);
    if (this.env.REDIS_URL) await removeInstallationKeys(this.env.REDIS_URL, this.env.FLOWCTL_QUEUE_PREFIX!).catch(() => undefined);
  }
}
