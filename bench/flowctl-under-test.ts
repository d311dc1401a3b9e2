import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { removeInstallationKeys } from '@flowctl/queue';
import { startNodeProcess, waitForHttp, type ManagedProcess } from '../apps/flowctl/src/dev/child-process';
import { freePort } from '../apps/flowctl/src/dev/embedded-database';
import { HttpClient } from './http-client';

const DIST = join(__dirname, '..');
const FINISHED = ['succeeded', 'failed', 'cancelled', 'timed_out'];

/** Every instance not yet stopped, so an interrupted bench can still remove its processes and databases. */
const live = new Set<FlowctlUnderTest>();

export interface FinishedRun {
  id: string;
  status: string;
  createdAt: string;
  finishedAt: string;
}

/** How often waitForRun asks; see there. */
const RUN_POLL_MS = 100;

/** As the Helm chart's default `scheduler.heapMb`. */
const SCHEDULER_HEAP_MB = 256;

/** A scheduler and a worker from the build, on a database and queue prefix of their own. */
export class FlowctlUnderTest {
  private processes: ManagedProcess[] = [];
  readonly url: string;
  /** The address an HTTP worker is given (without /api/v1). */
  readonly serverUrl: string;
  readonly adminToken: string;
  readonly http: HttpClient;

  private constructor(
    private readonly adminUrl: string,
    private readonly database: string,
    port: number,
    adminToken: string,
    /** Set when the queues are on Redis: the shared Redis outlives the bench, so stop() removes these keys. */
    private readonly redis?: { url: string; prefix: string },
  ) {
    this.url = `http://127.0.0.1:${port}/api/v1`;
    this.serverUrl = `http://127.0.0.1:${port}`;
    this.adminToken = adminToken;
    this.http = new HttpClient(this.url, { token: adminToken });
  }

  /**
   * `redisUrl` empty: queues on BullMQ's PostgreSQL backend in the run database, as `npm run dev` runs.
   * `workerScript`: a built script to run instead of the stock worker (the task-log rows' own handlers).
   */
  static async start(options: {
    adminDatabaseUrl: string;
    redisUrl: string;
    concurrency: number;
    /** More of the scheduler's environment (FLOWCTL_RATE_LIMIT for the HTTP worker rows, say). */
    schedulerEnv?: Record<string, string>;
    workerScript?: string;
  }): Promise<FlowctlUnderTest> {
    const database = `flowctl_bench_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: options.adminDatabaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const databaseUrl = new URL(options.adminDatabaseUrl);
    databaseUrl.pathname = `/${database}`;
    const port = await freePort();
    const prefix = `bench-${randomBytes(3).toString('hex')}`;
    const redis = options.redisUrl ? { url: options.redisUrl, prefix } : undefined;
    // Auth on, as every deployment runs it (the Helm chart requires an admin token): without it each
    // anonymous request first asks PostgreSQL whether a token has been issued since.
    const adminToken = randomBytes(24).toString('hex');
    const instance = new FlowctlUnderTest(options.adminDatabaseUrl, database, port, adminToken, redis);
    live.add(instance);
    const env = {
      DATABASE_URL: databaseUrl.toString(),
      REDIS_URL: options.redisUrl,
      FLOWCTL_QUEUE_PREFIX: prefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKER_TYPES: 'noop',
      WORKER_CONCURRENCY: String(options.concurrency),
    };
    const log = process.env.BENCH_VERBOSE ? process.stderr : undefined;
    try {
      // The scheduler as deployed (Helm's scheduler.heapMb, compose): a bounded heap, not one sized from the host's 24 GB.
      const scheduler = startNodeProcess(
        'scheduler',
        join(DIST, 'apps', 'scheduler', 'src', 'main.js'),
        { ...env, FLOWCTL_ADMIN_TOKEN: adminToken, NODE_OPTIONS: `--max-old-space-size=${SCHEDULER_HEAP_MB}`, ...options.schedulerEnv },
        log,
      );
      instance.processes.push(scheduler);
      await waitForHttp(`${instance.url}/readyz`, 60_000, () => scheduler.child.exitCode === null);
      instance.processes.push(startNodeProcess('worker', options.workerScript ?? join(DIST, 'apps', 'worker', 'src', 'main.js'), env, log));
    } catch (error) {
      await instance.stop();
      throw error;
    }
    return instance;
  }

  /** The name of this instance's database, for counting its connections. */
  get databaseName(): string {
    return this.database;
  }

  /** Stops whatever instances are still running (an interrupted or failed bench). */
  static async stopAll(): Promise<void> {
    await Promise.allSettled([...live].map((instance) => instance.stop()));
  }

  /** Its database, for a shape that writes a history straight into it. */
  get databaseUrl(): string {
    const url = new URL(this.adminUrl);
    url.pathname = `/${this.database}`;
    return url.toString();
  }

  get schedulerPid(): number {
    return this.pidOf('scheduler');
  }

  get workerPid(): number {
    return this.pidOf('worker');
  }

  private pidOf(name: 'scheduler' | 'worker'): number {
    const pid = this.processes.find((managed) => managed.name === name)?.child.pid;
    if (pid === undefined) throw new Error(`the ${name} is not running`);
    return pid;
  }

  request(method: string, path: string, body?: string, contentType = 'application/json'): Promise<any> {
    return this.http.json(method, path, body, contentType);
  }

  async apply(yaml: string): Promise<void> {
    await this.request('PUT', '/workflows', yaml, 'application/yaml');
  }

  async waitForRun(runId: string, timeoutMs = 20 * 60_000): Promise<FinishedRun> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.request('GET', `/runs/${runId}?tasksLimit=1`);
      if (FINISHED.includes(run.status)) {
        if (run.status !== 'succeeded') throw new Error(`run ${runId} ended ${run.status}`);
        return run as FinishedRun;
      }
      if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status} after ${timeoutMs}ms`);
      // The time measured is the run's own (created to finished), so polling often buys nothing, and each
      // poll is a request and three queries the server under test pays for in the middle of the run.
      await new Promise((resolve) => setTimeout(resolve, RUN_POLL_MS));
    }
  }

  /** Applies the workflow, starts a run and waits for it: milliseconds from the run's creation to its end. */
  async timeRun(yaml: string, name: string, inputs: Record<string, unknown> = {}): Promise<{ ms: number; runId: string }> {
    await this.apply(yaml);
    const run = await this.request('POST', `/workflows/${name}/runs`, JSON.stringify({ inputs }));
    const finished = await this.waitForRun(run.id);
    return { ms: new Date(finished.finishedAt).getTime() - new Date(finished.createdAt).getTime(), runId: run.id };
  }

  /** Every run of a workflow (all already created), once none is pending or running any more. */
  async waitForRunsOf(workflow: string, timeoutMs = 20 * 60_000): Promise<FinishedRun[]> {
    const deadline = Date.now() + timeoutMs;
    // Two one-row probes per poll, not a listing of every run, so waiting costs the server next to nothing.
    const hasOpen = async () => {
      for (const status of ['running', 'pending']) {
        if ((await this.request('GET', `/runs?workflow=${workflow}&status=${status}&limit=1`)).items.length > 0) return true;
      }
      return false;
    };
    while (await hasOpen()) {
      if (Date.now() > deadline) throw new Error(`runs of ${workflow} still open after ${timeoutMs}ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const runs: FinishedRun[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: FinishedRun[]; nextCursor: string | null } = await this.request(
        'GET',
        `/runs?workflow=${workflow}&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
      );
      runs.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const failed = runs.find((run) => run.status !== 'succeeded');
    if (failed) throw new Error(`run ${failed.id} of ${workflow} ended ${failed.status}`);
    return runs;
  }

  /** Rows of the run database, straight from PostgreSQL (what the API does not count, such as stored log lines). */
  async queryCount(sql: string): Promise<number> {
    const url = new URL(this.adminUrl);
    url.pathname = `/${this.database}`;
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return Number((await client.query<{ count: string }>(sql)).rows[0]!.count);
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    live.delete(this);
    this.http.close();
    for (const managed of this.processes.reverse()) await managed.stop(10_000);
    this.processes = [];
    const admin = new Client({ connectionString: this.adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
    await admin.end();
    if (this.redis) await removeInstallationKeys(this.redis.url, this.redis.prefix);
  }
}
