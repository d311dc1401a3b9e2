import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { cpuBetween, describeCpuPerItem, snapshotCpu, type Role } from './cpu-by-role';
import { DurableFloor } from './durable-floor';
import { FlowctlUnderTest } from './flowctl-under-test';
import { HttpClient } from './http-client';
import { measureHttpWorker } from './http-worker-rows';
import { openLoopLoad, type LoadResult } from './open-loop-load';
import { BenchUsageError, GROUPS, mergeRows, parseBenchArgs, type Group, type Sizes } from './options';
import { RawBullmq, type RawBackend } from './raw-bullmq';
import { catchUpInsightsRollups, INSIGHTS_WORKFLOWS, writeInsightsHistory } from './insights-history';
import { formatMarkdownTable, formatTable, median, percentile, type Row } from './report';
import { sampleRss } from './rss-sampler';
import { PythonWorker } from './python-worker';
import {
  chainWorkflow,
  diamondWorkflow,
  fanOutWorkflow,
  forEachFanOutWorkflow,
  singleTaskWorkflow,
  typedFanOutWorkflow,
  eventTriggeredWorkflow,
} from './shapes';
import { throughputChartSvg, throughputPoints } from './throughput-chart';

/**
 * `npm run bench [-- --only GROUP[,GROUP] --quick]`: the shapes of issue 7
 * through the whole of flowctl (API, PostgreSQL, Redis, worker, results,
 * dependency release) and through raw BullMQ on the same Redis (or the same
 * PostgreSQL, for embedded mode), in the same run.
 */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROOT = join(__dirname, '..', '..');
const RESULTS = join(ROOT, 'bench', 'results');

/**
 * The same load before the measured seconds of the open-loop rows, reported as a row of its own. A
 * scheduler fresh from start answers slowly for its first 10 – 15 s under this load: V8 compiles its hot
 * paths on background threads (TurboFan took 0.55 – 0.7 of a core in those seconds here, on two cores
 * already full), and the pools grow. The measured seconds are the scheduler as it runs after that.
 */
const WARM_UP_MS = 15_000;

/** Measured runs of each side of the chain row, after one that is not: a single short chain swung by 30% here. */
const CHAIN_RUNS = 3;

const tasksPerSecond = (tasks: number, ms: number) => tasks / (ms / 1000);

/**
 * The median of CHAIN_RUNS runs after one unmeasured run. The unmeasured run
 * compiles the path (a scheduler's first long chain is about 1 ms
 * a hop slower than its next) the same way for flowctl and the baselines.
 */
async function warmMedian(measure: () => Promise<number>): Promise<number> {
  await measure();
  const runs: number[] = [];
  for (let i = 0; i < CHAIN_RUNS; i++) runs.push(await measure());
  return median(runs);
}
const rawOnRedis = (): RawBackend => ({ kind: 'redis', url: REDIS_URL, prefix: `bench-raw-${randomBytes(3).toString('hex')}` });
const log = (message: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** A raw baseline that may not fit (100,000 children in one FlowProducer call): its error becomes the row's note. */
async function tryRaw<T>(what: string, measure: () => Promise<T>): Promise<{ value: T } | { error: string }> {
  try {
    return { value: await measure() };
  } catch (error) {
    log(`raw BullMQ ${what} failed: ${(error as Error).message}`);
    return { error: (error as Error).message.split('\n')[0]!.slice(0, 160) };
  }
}

/** One flowctl on Redis shared by the small groups; the heavy ones start their own so one does not skew the next. */
class Stacks {
  private shared?: FlowctlUnderTest;

  async sharedStack(): Promise<FlowctlUnderTest> {
    if (!this.shared) {
      this.shared = await FlowctlUnderTest.start({ adminDatabaseUrl: ADMIN_DATABASE_URL, redisUrl: REDIS_URL, concurrency: CONCURRENCY });
      // One small run first so connection pools and caches are warm in the measured runs.
      await this.shared.timeRun(chainWorkflow('warm-up', 5), 'warm-up');
    }
    return this.shared;
  }

  async ownStack<T>(
    redisUrl: string,
    work: (flowctl: FlowctlUnderTest) => Promise<T>,
    schedulerEnv?: Record<string, string>,
    workerScript?: string,
  ): Promise<T> {
    // An idle stack still runs its duties, heartbeats and autovacuum of what it ran: not beside a measured one.
    await this.stop();
    const flowctl = await FlowctlUnderTest.start({
      adminDatabaseUrl: ADMIN_DATABASE_URL,
      redisUrl,
      concurrency: CONCURRENCY,
      schedulerEnv,
      workerScript,
    });
    try {
      await flowctl.timeRun(chainWorkflow('warm-up', 5), 'warm-up');
      return await work(flowctl);
    } finally {
      await flowctl.stop();
    }
  }

  async stop(): Promise<void> {
    await this.shared?.stop();
    this.shared = undefined;
  }
}

/**
 * Between rows: the previous row's writes are flushed to disk now (CHECKPOINT) rather than by a
 * checkpoint or autovacuum in the middle of the next row, which otherwise made rows depend on their
 * order by a factor of several.
 */
async function settle(): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query('CHECKPOINT');
  } finally {
    await admin.end();
  }
  await new Promise((resolve) => setTimeout(resolve, 2_000));
}

class Bench {
  readonly rows: Row[] = [];
  private readonly stacks = new Stacks();
  /** tasks/s of the 5,000 fan-out, flowctl and raw, for the 100,000 row's per-task ratio. */
  private fanOutReference?: { flowctl: number; raw: number };

  constructor(private readonly sizes: Sizes) {}

  async run(groups: readonly Group[]): Promise<void> {
    try {
      for (const group of groups) {
        await settle();
        log(`measuring ${group}`);
        await this[GROUP_METHODS[group]]();
      }
    } finally {
      await this.stacks.stop();
    }
  }

  private async fanOutRow(group: Group, width: number, target?: string): Promise<{ flowctl: number; raw: number | null }> {
    const tasks = width + 2;
    const raw = await tryRaw(`fan-out ${width}`, () => new RawBullmq(rawOnRedis(), CONCURRENCY).fanOut(width));
    const flowctl = await this.stacks.sharedStack();
    const { ms } = await flowctl.timeRun(fanOutWorkflow(`bench-fan-out-${width}`, width), `bench-fan-out-${width}`);
    const row: Row = {
      group,
      shape: `fan-out ${width.toLocaleString('en-US')}`,
      metric: 'tasks/s',
      flowctl: tasksPerSecond(tasks, ms),
      raw: 'value' in raw ? tasksPerSecond(tasks, raw.value) : null,
      ratio: 'value' in raw ? raw.value / ms : null,
      size: width,
      ...(target ? { target } : {}),
      ...('error' in raw ? { note: `raw failed: ${raw.error}` } : {}),
    };
    this.rows.push(row);
    return row;
  }

  async fanOut(): Promise<void> {
    const row = await this.fanOutRow('fanout', this.sizes.fanOut, '>= 0.5x raw');
    if (row.raw !== null) this.fanOutReference = { flowctl: row.flowctl, raw: row.raw };
  }

  async fanOutSmall(): Promise<void> {
    await this.fanOutRow('fanout-1k', this.sizes.fanOutSmall);
  }

  async chain(): Promise<void> {
    const length = this.sizes.chain;
    const rawMs = await warmMedian(() => new RawBullmq(rawOnRedis(), CONCURRENCY).chain(length));
    const floorMs = await warmMedian(() => new DurableFloor(REDIS_URL, ADMIN_DATABASE_URL, CONCURRENCY).chain(length));
    const flowctl = await this.stacks.sharedStack();
    const name = `bench-chain-${length}`;
    const ms = await warmMedian(async () => (await flowctl.timeRun(chainWorkflow(name, length), name)).ms);
    this.rows.push(
      {
        group: 'chain',
        shape: `chain ${length}`,
        metric: 'ms/hop',
        flowctl: ms / length,
        raw: rawMs / length,
        ratio: ms / rawMs,
        target: '<= 2x raw',
        note: `median of ${CHAIN_RUNS} after one not measured, each side`,
      },
      {
        group: 'chain',
        shape: `chain ${length} vs the durable floor`,
        metric: 'ms/hop',
        flowctl: ms / length,
        raw: null,
        ratio: ms / floorMs,
        note: `floor ${(floorMs / length).toFixed(2)} ms/hop (${(floorMs / rawMs).toFixed(2)}x raw): raw BullMQ + a second process reading a Redis stream + one PostgreSQL commit per hop`,
      },
    );
  }

  /** Past the 10,000-task limit of a definition: the children are forEach instances. */
  private async forEachFanOut(
    group: Group,
    width: number,
    flowctl: FlowctlUnderTest,
  ): Promise<{ row: Row; runId: string; raw: { value: number } | { error: string } }> {
    const tasks = width + 2;
    const raw = await tryRaw(`fan-out ${width}`, () => new RawBullmq(rawOnRedis(), CONCURRENCY).fanOut(width));
    const name = `bench-for-each-${width}`;
    const { ms, runId } = await flowctl.timeRun(forEachFanOutWorkflow(name, width), name);
    const row: Row = {
      group,
      shape: `fan-out ${width.toLocaleString('en-US')} (forEach)`,
      metric: 'tasks/s',
      flowctl: tasksPerSecond(tasks, ms),
      raw: 'value' in raw ? tasksPerSecond(tasks, raw.value) : null,
      ratio: 'value' in raw ? raw.value / ms : null,
      size: width,
      ...('error' in raw ? { note: `raw failed: ${raw.error}` } : {}),
    };
    this.rows.push(row);
    return { row, runId, raw };
  }

  async fanOutLarge(): Promise<void> {
    await this.forEachFanOut('fanout-20k', this.sizes.fanOutLarge, await this.stacks.sharedStack());
  }

  /** 100,000 children on a fresh flowctl: throughput, the scheduler's RSS throughout, and reading the run back. */
  async fanOutHuge(): Promise<void> {
    const width = this.sizes.fanOutHuge;
    await this.stacks.ownStack(REDIS_URL, async (flowctl) => {
      // Sampling spans the raw baseline too, while the scheduler idles: the largest sample is the flowctl run's.
      const rss = sampleRss(flowctl.schedulerPid);
      const measured = await this.forEachFanOut('fanout-100k', width, flowctl).finally(() => rss.stop());
      const memory = await rss.stop();
      measured.row.target = `per task >= 80% of fan-out ${this.sizes.fanOut.toLocaleString('en-US')}`;
      const reference = this.fanOutReference;
      this.rows.push({
        group: 'fanout-100k',
        shape: `fan-out ${width.toLocaleString('en-US')} vs ${this.sizes.fanOut.toLocaleString('en-US')}`,
        metric: 'tasks/s ratio',
        flowctl: reference ? measured.row.flowctl / reference.flowctl : NaN,
        raw: reference && measured.row.raw !== null ? measured.row.raw / reference.raw : null,
        ratio: null,
        target: '>= 0.80',
        ...(reference ? {} : { note: 'run with the fanout group for the 5,000 reference' }),
      });
      this.rows.push({
        group: 'fanout-100k',
        shape: `scheduler RSS through fan-out ${width.toLocaleString('en-US')}`,
        metric: 'max MB',
        flowctl: memory.maxBytes / 1024 / 1024,
        raw: null,
        ratio: null,
        target: '< 300',
        note: `${memory.samples} samples of VmRSS`,
      });

      const timings: number[] = [];
      let firstPage: { tasks: unknown[]; tasksNextCursor: string | null } | undefined;
      for (let i = 0; i < 7; i++) {
        const started = performance.now();
        firstPage = await flowctl.request('GET', `/runs/${measured.runId}`);
        timings.push(performance.now() - started);
      }
      if (!firstPage?.tasksNextCursor) throw new Error(`GET /runs/:id of a ${width}-task run answered without a next page of tasks`);
      this.rows.push({
        group: 'fanout-100k',
        shape: `GET /runs/:id of the ${width.toLocaleString('en-US')}-task run`,
        metric: 'first page ms (median of 7)',
        flowctl: median(timings),
        raw: null,
        ratio: null,
        target: '< 100',
        note: `${firstPage.tasks.length} tasks per page, then tasksNextCursor`,
      });
    });
  }

  /** Diamonds started at once through the API; run latency from creation to end, on the server's clock. */
  async diamonds(): Promise<void> {
    const count = this.sizes.diamonds;
    const raw = await new RawBullmq(rawOnRedis(), CONCURRENCY).diamonds(count);
    await this.stacks.ownStack(REDIS_URL, async (flowctl) => {
      await flowctl.apply(diamondWorkflow('bench-diamond'));
      await Promise.all(Array.from({ length: count }, () => flowctl.request('POST', '/workflows/bench-diamond/runs', '{}')));
      const runs = await flowctl.waitForRunsOf('bench-diamond');
      const latencies = runs.map((run) => new Date(run.finishedAt).getTime() - new Date(run.createdAt).getTime());
      const wallMs =
        Math.max(...runs.map((run) => new Date(run.finishedAt).getTime())) -
        Math.min(...runs.map((run) => new Date(run.createdAt).getTime()));
      const shape = `${count.toLocaleString('en-US')} diamond runs (5 tasks) at once`;
      const rawRuns = count / (raw.wallMs / 1000);
      this.rows.push(
        {
          group: 'diamond',
          shape,
          metric: 'runs/s',
          flowctl: count / (wallMs / 1000),
          raw: rawRuns,
          ratio: rawRuns ? count / (wallMs / 1000) / rawRuns : null,
          target: 'all done',
        },
        ...[50, 99].map((p) => {
          const flowctlMs = percentile(latencies, p);
          const rawMs = percentile(raw.latenciesMs, p);
          return { group: 'diamond', shape, metric: `p${p} run latency ms`, flowctl: flowctlMs, raw: rawMs, ratio: flowctlMs / rawMs };
        }),
      );
    });
  }

  /** POST /workflows/:name/runs at a fixed rate, open loop. No raw equivalent: raw BullMQ has no API. */
  async postRate(): Promise<void> {
    const { postRate: rate, postSeconds: seconds } = this.sizes;
    await this.stacks.ownStack(REDIS_URL, async (flowctl) => {
      await flowctl.apply(singleTaskWorkflow('bench-start'));
      const body = JSON.stringify({});
      const send = async () => (await flowctl.http.send('POST', '/workflows/bench-start/runs', body)).status === 201;
      const cold = await openLoopLoad({ ratePerSecond: rate, durationMs: WARM_UP_MS, send });
      const { result, cpu } = await withCpu(flowctl, () => openLoopLoad({ ratePerSecond: rate, durationMs: seconds * 1000, send }));
      const shape = `POST /workflows/:name/runs at ${rate}/s for ${seconds} s`;
      this.rows.push(
        ...openLoopRows('post-rate', shape, result, ''),
        coldStartRow('post-rate', shape, cold, ''),
        cpuRow('post-rate', shape, cpu, result.sent, rate, 'request'),
      );
    });
  }

  /**
   * POST /events at a fixed rate, open loop, each event starting one run of the workflow whose trigger
   * matches (a second workflow's filter never does). Every 50th event is sent again, as a sender that
   * retries: afterwards each event id must have exactly one run, none lost and none doubled.
   */
  async events(): Promise<void> {
    const { eventRate: rate, eventSeconds: seconds } = this.sizes;
    await this.stacks.ownStack(REDIS_URL, async (flowctl) => {
      await flowctl.apply(eventTriggeredWorkflow('bench-on-event', '{{ event.data.start }}'));
      await flowctl.apply(eventTriggeredWorkflow('bench-never', '{{ event.data.n < 0 }}'));
      // Sent as a sending system would: with an API token of the emitter role, not the admin token.
      const { token } = await flowctl.request('POST', '/tokens', JSON.stringify({ role: 'emitter', name: 'bench-sender' }));
      const sender = new HttpClient(flowctl.url, { token });
      let next = 0;
      // Every 50th event is sent again once answered, as a sender that missed the answer would. The
      // retry is a request of its own: its answer is checked, and the first one's latency is measured.
      let retries: Promise<boolean>[] = [];
      const send = (prefix: string) => async () => {
        const n = next++;
        const body = JSON.stringify({ name: 'bench.event', id: `${prefix}-${n}`, data: { n, start: true } });
        const answer = await sender.send('POST', '/events', body);
        if (n % 50 === 0) retries.push(sender.send('POST', '/events', body).then((again) => again.status === 200));
        return answer.status === 200;
      };
      const cold = await openLoopLoad({ ratePerSecond: rate, durationMs: WARM_UP_MS, send: send('warm') });
      await Promise.all(retries);
      next = 0;
      retries = [];
      const { result, cpu } = await withCpu(flowctl, () =>
        openLoopLoad({ ratePerSecond: rate, durationMs: seconds * 1000, send: send('bench') }),
      );
      result.errors += (await Promise.all(retries)).filter((ok) => !ok).length;
      sender.close();
      // An answer means accepted: the runs start right after, so they are counted once none is owed.
      const owedUntil = Date.now() + 120_000;
      while ((await flowctl.queryCount(`SELECT count(*) FROM event_starts`)) > 0 && Date.now() < owedUntil) await sleep(100);
      const runs = await flowctl.queryCount(`SELECT count(*) FROM runs WHERE idempotency_key LIKE 'event:bench-%'`);
      const ids = await flowctl.queryCount(`SELECT count(DISTINCT idempotency_key) FROM runs WHERE idempotency_key LIKE 'event:bench-%'`);
      const stray = await flowctl.queryCount(`SELECT count(*) FROM runs WHERE workflow_name = 'bench-never'`);
      const lostOrDoubled = Math.abs(result.sent - ids) + (runs - ids) + stray;
      const shape = `POST /events at ${rate}/s for ${seconds} s, each starting a run`;
      this.rows.push(
        ...openLoopRows('events', shape, result, 'accept '),
        coldStartRow('events', shape, cold, 'accept '),
        cpuRow('events', shape, cpu, result.sent, rate, 'event'),
        {
          group: 'events',
          shape,
          metric: 'events lost or doubled',
          flowctl: lostOrDoubled,
          raw: null,
          ratio: null,
          target: '0',
          note: `${ids} event ids with a run, ${runs} runs, every 50th event sent twice`,
        },
      );
    });
  }

  /**
   * The HTTP worker protocol: its rows compare with flowctl's native worker on the same stack. The
   * rate limit is lifted: one worker token sending every report of a 5,000-task fan-out would
   * otherwise measure the limiter (a deployment gives a busy fleet its own limit, or several tokens).
   */
  async httpWorker(): Promise<void> {
    await this.stacks.ownStack(
      REDIS_URL,
      async (flowctl) => {
        this.rows.push(
          ...(await measureHttpWorker({
            flowctl,
            adminDatabaseUrl: ADMIN_DATABASE_URL,
            concurrency: CONCURRENCY,
            fanOut: this.sizes.fanOut,
            chain: this.sizes.chain,
            idlePollers: this.sizes.idlePollers,
            warmMedian,
          })),
        );
      },
      {
        FLOWCTL_RATE_LIMIT: '0',
      },
    );
  }

  /** `npm run dev`'s transport: BullMQ's PostgreSQL backend, for flowctl and for the raw FlowProducer alike. */
  /**
   * Task logs: the 5,000 fan-out with each task logging 10 lines, beside the same fan-out silent
   * (alternated, best of two each, on one stack and one worker), and a 200-task fan-out whose tasks
   * log 10,000 lines each, timed until every line is stored.
   */
  async logs(): Promise<void> {
    const width = this.sizes.logsFanOut;
    await this.stacks.ownStack(
      REDIS_URL,
      async (flowctl) => {
        // Alternated rounds, compared by their medians: one pair of runs on this machine differs by more
        // than the 10% the row is about, whichever of the two it measures first.
        const quiet: number[] = [];
        const logging: number[] = [];
        // Both fan-outs carry the same input, which only bench-log reads: the two runs differ in the
        // logging alone, not also in 5,000 task inputs to validate, store, render and deliver.
        const input = { lines: 10 };
        for (let round = 0; round < LOGS_ROUNDS; round++) {
          quiet.push((await flowctl.timeRun(typedFanOutWorkflow('bench-logs-quiet', width, 'bench-quiet', input), 'bench-logs-quiet')).ms);
          await settle();
          logging.push((await flowctl.timeRun(typedFanOutWorkflow('bench-logs-10', width, 'bench-log', input), 'bench-logs-10')).ms);
          await settle();
        }
        const tasks = width + 2;
        const [quietMs, loggingMs] = [median(quiet), median(logging)];
        const pairRatios = quiet.map((ms, i) => ms / logging[i]!);
        // No `size`: these rows stay off the throughput chart, which plots the silent fan-outs.
        this.rows.push({
          group: 'logs',
          shape: `fan-out ${width.toLocaleString('en-US')}, 10 log lines a task`,
          metric: 'tasks/s',
          flowctl: tasksPerSecond(tasks, loggingMs),
          raw: null,
          ratio: quietMs / loggingMs,
          target: '>= 0.9x the same fan-out silent',
          note:
            `ratio: medians of ${LOGS_ROUNDS} alternated rounds, vs the silent fan-out's ${Math.round(tasksPerSecond(tasks, quietMs))} tasks/s; ` +
            `each round ${Math.min(...pairRatios).toFixed(2)} – ${Math.max(...pairRatios).toFixed(2)}`,
        });

        const heavy = this.sizes.logsHeavyFanOut;
        const perTask = this.sizes.logsLinesPerTask;
        const expected = LOGS_ROUNDS * width * 10 + heavy * perTask;
        const started = Date.now();
        const { ms: runMs } = await flowctl.timeRun(
          typedFanOutWorkflow('bench-logs-heavy', heavy, 'bench-log', { lines: perTask }),
          'bench-logs-heavy',
        );
        let stored = 0;
        // Lines can be stored a moment after their task ended; a notification would need a client of
        // its own here, and the bench only polls its own database, not the server under test.
        for (const deadline = Date.now() + 5 * 60_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 500))) {
          stored = await flowctl.queryCount(STORED_LINES_SQL);
          if (stored >= expected) break;
        }
        const allStoredMs = Date.now() - started;
        log(`logs: ${stored} of ${expected} lines stored; run ${runMs} ms, every line stored after ${allStoredMs} ms`);
        this.rows.push({
          group: 'logs',
          shape: `fan-out ${heavy.toLocaleString('en-US')}, ${perTask.toLocaleString('en-US')} log lines a task`,
          metric: 'lines stored/s',
          flowctl: (heavy * perTask) / (allStoredMs / 1000),
          raw: null,
          ratio: null,
          target: 'every line stored',
          note: `${stored - LOGS_ROUNDS * width * 10} of ${heavy * perTask} lines stored; run ${(runMs / 1000).toFixed(1)} s`,
        });
      },
      undefined,
      LOGGING_WORKER,
    );
  }

  async embedded(): Promise<void> {
    const width = this.sizes.embeddedFanOut;
    const tasks = width + 2;
    const database = `flowctl_bench_raw_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    let rawMs: number;
    try {
      const url = new URL(ADMIN_DATABASE_URL);
      url.pathname = `/${database}`;
      rawMs = await new RawBullmq({ kind: 'postgres', url: url.toString(), schema: 'raw_queues' }, CONCURRENCY).fanOut(width);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
    await this.stacks.ownStack('', async (flowctl) => {
      const { ms } = await flowctl.timeRun(fanOutWorkflow(`bench-embedded-${width}`, width), `bench-embedded-${width}`);
      this.rows.push({
        group: 'embedded',
        shape: `fan-out ${width.toLocaleString('en-US')}, embedded (PostgreSQL queues)`,
        metric: 'tasks/s',
        flowctl: tasksPerSecond(tasks, ms),
        raw: tasksPerSecond(tasks, rawMs),
        ratio: rawMs / ms,
        target: '>= 1x raw',
        note: 'raw: FlowProducer on BullMQ PostgreSQL backend',
      });
    });
  }

  /**
   * The fan-out with every task served by the Python SDK over the HTTP worker protocol, beside the same
   * fan-out served by the native worker on the same stack.
   */
  async pythonFanOut(): Promise<void> {
    const width = this.sizes.pythonFanOut;
    const tasks = width + 2;
    await this.stacks.ownStack(
      REDIS_URL,
      async (flowctl) => {
        const native = await flowctl.timeRun(fanOutWorkflow(`bench-native-${width}`, width), `bench-native-${width}`);
        const python = await PythonWorker.start({
          server: flowctl.serverUrl,
          token: flowctl.adminToken,
          type: 'py-noop',
          concurrency: CONCURRENCY,
        });
        try {
          const { ms } = await flowctl.timeRun(fanOutWorkflow(`bench-python-${width}`, width, 'py-noop'), `bench-python-${width}`);
          this.rows.push({
            group: 'python',
            shape: `fan-out ${width.toLocaleString('en-US')} on the Python SDK (HTTP)`,
            metric: 'tasks/s',
            flowctl: tasksPerSecond(tasks, ms),
            raw: tasksPerSecond(tasks, native.ms),
            ratio: native.ms / ms,
            note: 'raw column: the same fan-out on the native worker, same stack',
          });
        } finally {
          await python.stop();
        }
      },
      // As the HTTP worker rows: a worker's calls are not throttled as a user's would be.
      { FLOWCTL_RATE_LIMIT: '0' },
    );
  }

  /**
   * GET /insights over a week of history written straight into the database (1,000,000 task runs):
   * overall and for one workflow, over 24 hours and 7 days; median and p95 of INSIGHTS_CALLS calls each.
   */
  async insights(): Promise<void> {
    const taskRuns = this.sizes.insightsTaskRuns;
    await this.stacks.ownStack(REDIS_URL, async (flowctl) => {
      for (let i = 0; i < INSIGHTS_WORKFLOWS; i++) await flowctl.apply(singleTaskWorkflow(`bench-insights-${i}`));
      const started = performance.now();
      const written = await writeInsightsHistory(flowctl.databaseUrl, taskRuns);
      log(`wrote ${written.runs} runs and ${written.taskRuns} task runs in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      const rollupMs = await catchUpInsightsRollups(flowctl.databaseUrl);
      log(`rolled the week up in ${(rollupMs / 1000).toFixed(0)} s`);
      this.rows.push({
        group: 'insights',
        shape: `insights rollups of a week (${written.taskRuns.toLocaleString('en-US')} task runs)`,
        metric: 'catch-up s',
        flowctl: rollupMs / 1000,
        raw: null,
        ratio: null,
        note: 'what the leader does in 6-hour passes, done at once; afterwards one pass every 5 minutes rewrites from 2 hours before the last one ended',
      });
      // Every window the page offers (1h, 24h, 7d, 30d), overall and for one workflow.
      const queries = ['1h', '24h', '7d', '30d'].flatMap((since) => [
        { label: `all workflows, ${since}`, query: `since=${since}` },
        { label: `one workflow, ${since}`, query: `since=${since}&workflow=bench-insights-3` },
      ]);
      for (const { label, query } of queries) {
        const timings: number[] = [];
        let answer: { runs?: { started: number } } = {};
        for (let i = 0; i < INSIGHTS_CALLS + 2; i++) {
          const callStarted = performance.now();
          answer = await flowctl.request('GET', `/insights?${query}`);
          if (i >= 2) timings.push(performance.now() - callStarted);
        }
        if (!answer.runs?.started) throw new Error(`GET /insights?${query} counted no runs`);
        const shape = `GET /insights, ${label} (${written.taskRuns.toLocaleString('en-US')} task runs stored)`;
        this.rows.push(
          { group: 'insights', shape, metric: 'median ms', flowctl: median(timings), raw: null, ratio: null, target: '< 300' },
          {
            group: 'insights',
            shape,
            metric: 'p95 ms',
            flowctl: percentile(timings, 95),
            raw: null,
            ratio: null,
            target: '< 300',
            note: `${INSIGHTS_CALLS} calls after 2 not measured; ${answer.runs.started.toLocaleString('en-US')} runs started in the window`,
          },
        );
      }
    });
  }
}

/** An open-loop load's rows: median and p99 latency (p99 < 50 ms) and errors (none). */
function openLoopRows(group: Group, shape: string, result: LoadResult, latency: string): Row[] {
  return [
    { group, shape, metric: `p50 ${latency}ms`, flowctl: percentile(result.latenciesMs, 50), raw: null, ratio: null },
    { group, shape, metric: `p99 ${latency}ms`, flowctl: percentile(result.latenciesMs, 99), raw: null, ratio: null, target: '< 50' },
    {
      group,
      shape,
      metric: 'errors',
      flowctl: result.errors,
      raw: null,
      ratio: null,
      target: '0',
      note: `${result.sent} sent${result.firstError ? `; first error: ${result.firstError}` : ''}`,
    },
  ];
}

/** A load's result and the CPU every process of the stack (and the bench, which sends the load) spent during it. */
async function withCpu<T>(flowctl: FlowctlUnderTest, load: () => Promise<T>): Promise<{ result: T; cpu: Record<Role, number> }> {
  const stack = { scheduler: flowctl.schedulerPid, worker: flowctl.workerPid };
  const before = await snapshotCpu(stack);
  const result = await load();
  return { result, cpu: cpuBetween(before, await snapshotCpu(stack)) };
}

/**
 * Where an open-loop row's time went: CPU per request of each process, and the cores the rate takes.
 * A latency target met on one machine and missed on another is read against this: past the machine's
 * cores, requests queue whatever the code does. Under the machine's capacity, the work a request
 * causes (its run, started and finished) is paid within the measured seconds; past it, the backlog
 * it leaves is not, so the figure is then a floor.
 */
function cpuRow(group: Group, shape: string, cpu: Record<Role, number>, sent: number, rate: number, item: string): Row {
  const seconds = Object.values(cpu).reduce((sum, spent) => sum + spent, 0);
  const perItemMs = (seconds * 1000) / sent;
  return {
    group,
    shape,
    metric: `CPU ms per ${item}, all processes`,
    flowctl: perItemMs,
    raw: null,
    ratio: null,
    note: `${describeCpuPerItem(cpu, sent)}; ${rate}/s took ${((perItemMs * rate) / 1000).toFixed(2)} of this machine's ${availableParallelism()} cores`,
  };
}

/** The p99 of the warm-up: the same load on a scheduler in its first WARM_UP_MS after start. */
function coldStartRow(group: Group, shape: string, cold: LoadResult, latency: string): Row {
  return {
    group,
    shape,
    metric: `p99 ${latency}ms, first ${WARM_UP_MS / 1000} s after start`,
    flowctl: percentile(cold.latenciesMs, 99),
    raw: null,
    ratio: null,
    note: `the same load just before the measured seconds; ${cold.errors} errors of ${cold.sent}`,
  };
}

/** Calls of each GET /insights measured, after two that are not. */
const INSIGHTS_CALLS = Number(process.env.BENCH_INSIGHTS_CALLS ?? 20);
/** Every line of a run's tasks stored, counted from PostgreSQL. */
const STORED_LINES_SQL = `SELECT coalesce(sum(last_seq - first_seq + 1), 0) AS count FROM task_log_chunks`;
const LOGGING_WORKER = join(__dirname, 'logging-worker.js');
/**
 * Silent and logging fan-outs measured in turn, this many times each. With five, one build's median
 * ratio read 0.90 in one run and 0.82 in the next on a quiet machine (single rounds 0.68 – 1.10); more
 * rounds narrow that, and eleven keep the row under three minutes.
 */
const LOGS_ROUNDS = 11;

const GROUP_METHODS = {
  fanout: 'fanOut',
  chain: 'chain',
  'fanout-1k': 'fanOutSmall',
  'fanout-20k': 'fanOutLarge',
  'fanout-100k': 'fanOutHuge',
  diamond: 'diamonds',
  'post-rate': 'postRate',
  events: 'events',
  embedded: 'embedded',
  http: 'httpWorker',
  python: 'pythonFanOut',
  insights: 'insights',
  logs: 'logs',
} as const satisfies Record<Group, keyof Bench>;

async function previousRows(path: string): Promise<Row[]> {
  try {
    return (JSON.parse(await readFile(path, 'utf8')) as { rows?: Row[] }).rows ?? [];
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const options = parseBenchArgs(process.argv.slice(2));
  const bench = new Bench(options.sizes);
  await bench.run(options.groups);

  // --quick checks the bench itself: its figures go beside, never over, the published ones.
  const jsonPath = join(RESULTS, options.quick ? 'quick.json' : 'latest.json');
  const chartPath = options.quick ? join(RESULTS, 'quick-throughput.svg') : join(ROOT, 'docs', 'performance-throughput.svg');
  const order = (row: Row) => GROUPS.indexOf(row.group as Group);
  const rows = mergeRows(await previousRows(jsonPath), bench.rows, options.groups).sort((a, b) => order(a) - order(b));

  console.log(formatTable(rows));
  console.log(
    `(worker concurrency ${CONCURRENCY}${options.quick ? '; --quick sizes' : ''}; throughput ratio = flowctl ÷ raw, >1 favours flowctl; latency ratio = flowctl ÷ raw, <1 favours flowctl)`,
  );
  await mkdir(RESULTS, { recursive: true });
  await writeFile(
    jsonPath,
    `${JSON.stringify({ at: new Date().toISOString(), quick: options.quick, concurrency: CONCURRENCY, sizes: options.sizes, rows }, null, 2)}\n`,
  );
  await writeFile(jsonPath.replace(/\.json$/, '.md'), `${formatMarkdownTable(rows)}\n`);
  await writeFile(chartPath, throughputChartSvg(throughputPoints(rows)));
  log(`wrote ${jsonPath} and ${chartPath}`);
}

let stopping = false;
async function cleanUpAndExit(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await FlowctlUnderTest.stopAll().catch(() => undefined);
  }
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUpAndExit(130));

main().then(
  () => cleanUpAndExit(0),
  (error: Error) => {
    console.error(error instanceof BenchUsageError ? `bench: ${error.message}` : `bench failed: ${error.stack ?? error.message}`);
    return cleanUpAndExit(error instanceof BenchUsageError ? 2 : 1);
  },
);
