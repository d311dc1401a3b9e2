import { readFile } from 'node:fs/promises';
import { Client } from 'pg';
import { HttpTaskRunner } from '@flowctl/worker-sdk';
import type { FlowctlUnderTest } from './flowctl-under-test';
import type { Row } from './report';
import { residentBytes } from './rss-sampler';
import { chainWorkflow, fanOutWorkflow } from './shapes';

/** The task type the HTTP runner serves: a noop, as the native worker's. */
const HTTP_NOOP = 'bench-http-noop';
const IDLE_TYPE = 'bench-http-idle';
/** How long the idle pollers are watched (and the scheduler before them, for the baseline). */
const IDLE_WINDOW_MS = 10_000;
const CLOCK_TICKS_PER_SECOND = 100;

const tasksPerSecond = (tasks: number, ms: number) => tasks / (ms / 1000);

/** utime + stime of a process, in seconds (Linux /proc). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** The scheduler over a window: CPU as a share of one core, RSS at the end, and its database's connections. */
async function watchScheduler(flowctl: FlowctlUnderTest, adminDatabaseUrl: string, ms: number) {
  const pid = flowctl.schedulerPid;
  const before = await cpuSeconds(pid);
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const cpu = (await cpuSeconds(pid)) - before;
  const elapsed = (performance.now() - started) / 1000;
  const admin = new Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`, [flowctl.databaseName]);
    return { cpuPercent: (100 * cpu) / elapsed, rssMb: ((await residentBytes(pid)) ?? 0) / 1024 / 1024, connections: rows[0].n as number };
  } finally {
    await admin.end();
  }
}

/**
 * The HTTP worker protocol through the TypeScript SDK's HttpTaskRunner, beside
 * the native worker on the same stack in the same run: a 5,000 fan-out, a
 * 200-task chain, and what idle long polls cost the scheduler.
 */
export async function measureHttpWorker(options: {
  flowctl: FlowctlUnderTest;
  adminDatabaseUrl: string;
  concurrency: number;
  fanOut: number;
  chain: number;
  idlePollers: number;
  warmMedian: (measure: () => Promise<number>) => Promise<number>;
}): Promise<Row[]> {
  const { flowctl, concurrency } = options;
  const created = await flowctl.request('POST', '/tokens', JSON.stringify({ role: 'worker', name: 'bench-http-workers' }));
  const quiet = {
    info: () => undefined,
    warn: (message: string) => console.error(`[http runner] ${message}`),
    error: (message: string) => console.error(`[http runner] ${message}`),
  };
  const runner = new HttpTaskRunner({
    server: flowctl.serverUrl,
    token: created.token,
    concurrency,
    workerId: 'bench-http-runner',
    logger: quiet,
    handlers: { [HTTP_NOOP]: () => null },
  });
  runner.start();
  const rows: Row[] = [];
  try {
    const width = options.fanOut;
    const tasks = width + 2;
    const native = await flowctl.timeRun(fanOutWorkflow(`bench-fan-out-native-${width}`, width), `bench-fan-out-native-${width}`);
    const overHttp = await flowctl.timeRun(fanOutWorkflow(`bench-fan-out-http-${width}`, width, HTTP_NOOP), `bench-fan-out-http-${width}`);
    rows.push({
      group: 'http',
      shape: `fan-out ${width.toLocaleString('en-US')} over HTTP (TS HttpTaskRunner)`,
      metric: 'tasks/s',
      flowctl: tasksPerSecond(tasks, overHttp.ms),
      raw: tasksPerSecond(tasks, native.ms),
      ratio: native.ms / overHttp.ms,
      target: '>= 0.5x native',
      note: `raw column: flowctl's native worker, same stack and run; HTTP runner concurrency ${concurrency}`,
    });

    const length = options.chain;
    const nativeChainMs = await options.warmMedian(
      async () => (await flowctl.timeRun(chainWorkflow(`bench-chain-native-${length}`, length), `bench-chain-native-${length}`)).ms,
    );
    const httpChainMs = await options.warmMedian(
      async () => (await flowctl.timeRun(chainWorkflow(`bench-chain-http-${length}`, length, HTTP_NOOP), `bench-chain-http-${length}`)).ms,
    );
    rows.push({
      group: 'http',
      shape: `chain ${length} over HTTP (TS HttpTaskRunner)`,
      metric: 'ms/hop',
      flowctl: httpChainMs / length,
      raw: nativeChainMs / length,
      ratio: httpChainMs / nativeChainMs,
      note: "raw column: flowctl's native worker; median of 3 after one not measured, each side",
    });
  } finally {
    await runner.stop(5_000);
  }

  // Idle: a baseline window, then the same window with the pollers waiting on a type nobody sends.
  const quietScheduler = await watchScheduler(flowctl, options.adminDatabaseUrl, IDLE_WINDOW_MS);
  const hangUp = new AbortController();
  const polls = Array.from({ length: options.idlePollers }, (_, i) =>
    fetch(`${flowctl.serverUrl}/api/v1/worker/poll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${flowctl.adminToken}` },
      body: JSON.stringify({ workerId: `bench-idle-${i}`, types: [IDLE_TYPE], waitMs: 30_000 }),
      signal: hangUp.signal,
    }).catch(() => undefined),
  );
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // every poll in and waiting
  const idle = await watchScheduler(flowctl, options.adminDatabaseUrl, IDLE_WINDOW_MS);
  hangUp.abort();
  await Promise.all(polls);
  const shape = `${options.idlePollers} idle long polls (30 s) held open`;
  const baseline = 'raw column: the same scheduler with none';
  rows.push(
    {
      group: 'http',
      shape,
      metric: 'scheduler CPU % of a core',
      flowctl: idle.cpuPercent,
      raw: quietScheduler.cpuPercent,
      ratio: null,
      note: baseline,
    },
    { group: 'http', shape, metric: 'scheduler RSS MB', flowctl: idle.rssMb, raw: quietScheduler.rssMb, ratio: null, note: baseline },
    {
      group: 'http',
      shape,
      metric: 'PostgreSQL connections',
      flowctl: idle.connections,
      raw: quietScheduler.connections,
      ratio: null,
      target: 'no more than with none',
      note: `${baseline}; pg_stat_activity of the stack's database (scheduler and native worker)`,
    },
  );
  return rows;
}
