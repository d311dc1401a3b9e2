import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { startNodeProcess, waitForHttp, type ManagedProcess } from '../apps/flowctl/src/dev/child-process';
import { freePort } from '../apps/flowctl/src/dev/embedded-database';

const DIST = join(__dirname, '..');

/** A scheduler and a worker from the build, on a database and queue prefix of their own. */
export class FlowctlUnderTest {
  private processes: ManagedProcess[] = [];
  readonly url: string;

  private constructor(
    private readonly adminUrl: string,
    private readonly database: string,
    port: number,
  ) {
    this.url = `http://127.0.0.1:${port}/api/v1`;
  }

  static async start(options: { adminDatabaseUrl: string; redisUrl: string; concurrency: number }): Promise<FlowctlUnderTest> {
    const database = `flowctl_bench_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: options.adminDatabaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const databaseUrl = new URL(options.adminDatabaseUrl);
    databaseUrl.pathname = `/${database}`;
    const port = await freePort();
    const instance = new FlowctlUnderTest(options.adminDatabaseUrl, database, port);
    const env = {
      DATABASE_URL: databaseUrl.toString(),
      REDIS_URL: options.redisUrl,
      FLOWCTL_QUEUE_PREFIX: `bench-${randomBytes(3).toString('hex')}`,
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKER_TYPES: 'noop',
      WORKER_CONCURRENCY: String(options.concurrency),
    };
    const log = process.env.BENCH_VERBOSE ? process.stderr : undefined;
    const scheduler = startNodeProcess('scheduler', join(DIST, 'apps', 'scheduler', 'src', 'main.js'), env, log);
    instance.processes.push(scheduler);
    await waitForHttp(`${instance.url}/readyz`, 60_000, () => scheduler.child.exitCode === null);
    instance.processes.push(startNodeProcess('worker', join(DIST, 'apps', 'worker', 'src', 'main.js'), env, log));
    return instance;
  }

  async request(method: string, path: string, body?: string, contentType = 'application/json'): Promise<any> {
    const response = await fetch(`${this.url}${path}`, { method, body, headers: body ? { 'content-type': contentType } : {} });
    const parsed = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
    return parsed;
  }

  /** Applies the workflow, starts a run and waits for it: milliseconds from the start request to the run's end. */
  async timeRun(yaml: string, name: string): Promise<number> {
    await this.request('PUT', '/workflows', yaml, 'application/yaml');
    const started = performance.now();
    const run = await this.request('POST', `/workflows/${name}/runs`, '{}');
    for (;;) {
      const current = await this.request('GET', `/runs/${run.id}?tasksLimit=1`);
      if (current.status === 'succeeded')
        return new Date(current.finishedAt).getTime() - new Date(current.createdAt).getTime() || performance.now() - started;
      if (current.status !== 'running' && current.status !== 'pending') throw new Error(`run ${run.id} ended ${current.status}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    for (const managed of this.processes.reverse()) await managed.stop(10_000);
    const admin = new Client({ connectionString: this.adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
    await admin.end();
  }
}
