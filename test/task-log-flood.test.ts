import Redis from 'ioredis';
import { Client } from 'pg';
import { residentBytes, sampleRss } from '../bench/rss-sampler';
import { FlowctlStack } from './support/flowctl-stack';
import { OwnRedis } from './support/own-redis';
import { aWorkflow } from './support/workflow-factory';

/**
 * A shell task printing 1 GiB as fast as it can (FLOOD_BYTES to try another size), beside small tasks
 * on the same worker: the worker's memory stays bounded, the small tasks keep their pace, the
 * scheduler answers and the results stream does not pile up, and the log keeps its latest 10 MiB (the
 * default cap) with a note of what was dropped.
 */
const FLOOD_BYTES = Number(process.env.FLOOD_BYTES ?? 1024 * 1024 * 1024);
const LOG_LIMIT = 10 * 1024 * 1024;
const MiB = 1024 * 1024;
/** The worker idles at about 100 MiB; its unsent log lines may hold 16 M characters (32 MiB) and their objects. */
const WORKER_RSS_BOUND = 300 * MiB;
/**
 * A small run (a shell task, then a noop) on an idle stack takes a few hundred milliseconds, over a
 * second on a machine as loaded as the one this was written on. Beside the flood its typical time may
 * be a few times that, and none may be stuck behind the flood's lines: before the shipper held a
 * flood's batches while the results channel was behind, no small run finished within a minute.
 */
const SMALL_RUN_TYPICAL_FACTOR = 4;
const SMALL_RUN_TYPICAL_FLOOR_MS = 3_000;
const SMALL_RUN_BOUND_MS = 20_000;
/** Reports waiting on the results stream: a flood that outran the scheduler would leave thousands. */
const RESULTS_BACKLOG_BOUND = 1_000;

jest.setTimeout(15 * 60_000);

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('a task printing 1 GiB', () => {
  let stack: FlowctlStack;
  let db: Client;
  let redis: Redis;
  // A Redis of its own: a flood that outran the scheduler must not fill the one other test files share.
  let ownRedis: OwnRedis;

  beforeAll(async () => {
    ownRedis = await OwnRedis.start();
    stack = await FlowctlStack.start({
      label: 'task_log_flood',
      redisUrl: ownRedis.url,
      workerEnv: { FLOWCTL_SHELL_ENABLED: 'true', WORKER_TYPES: 'noop,shell' },
    });
    db = new Client({ connectionString: stack.database.url });
    await db.connect();
    redis = new Redis(stack.env.REDIS_URL!);
    const apply = async (yaml: string) => expect((await stack.api.applyYaml(yaml)).status).toBe(200);
    await apply(
      aWorkflow({
        name: 'flood',
        tasks: [
          {
            name: 'print',
            type: 'shell',
            timeout: '30m',
            with: { command: `head -c ${FLOOD_BYTES} /dev/zero | tr '\\0' x | fold -w 100; echo; echo the end` },
          },
        ],
      }),
    );
    await apply(
      aWorkflow({
        name: 'small',
        tasks: [
          { name: 'hello', type: 'shell', with: { command: 'echo hello' } },
          { name: 'after', type: 'noop', dependsOn: ['hello'] },
        ],
      }),
    );
  });

  afterAll(async () => {
    await db?.end();
    redis?.disconnect();
    await stack?.stop();
    await ownRedis?.kill();
  });

  const timeSmallRun = async (): Promise<number> => {
    const started = Date.now();
    const { body } = await stack.api.post('/workflows/small/runs', {});
    expect((await stack.waitForRun(body.id, 60_000)).status).toBe('succeeded');
    return Date.now() - started;
  };

  it('keeps the worker bounded, the small tasks prompt, the scheduler healthy and the log capped', async () => {
    const idle = [await timeSmallRun(), await timeSmallRun(), await timeSmallRun()];
    const workerPid = stack.processesNamed('worker')[0]!.child.pid!;
    const schedulerPid = stack.processesNamed('scheduler')[0]!.child.pid!;
    const workerRss = sampleRss(workerPid);
    const schedulerRss = sampleRss(schedulerPid);
    const flooded = Date.now();
    const { body: run } = await stack.api.post('/workflows/flood/runs', {});

    const small: number[] = [];
    let backlog = 0;
    let slowestHealth = 0;
    let floodRun: any;
    let worker: { maxBytes: number } | undefined;
    let scheduler: { maxBytes: number } | undefined;
    try {
      while (!floodRun) {
        small.push(await timeSmallRun());
        backlog = Math.max(backlog, await redis.xlen(`{${stack.env.FLOWCTL_QUEUE_PREFIX}}:results`));
        const asked = Date.now();
        expect((await stack.api.get('/readyz')).status).toBe(200);
        slowestHealth = Math.max(slowestHealth, Date.now() - asked);
        const { body } = await stack.api.get(`/runs/${run.id}`);
        if (['succeeded', 'failed', 'cancelled', 'timed_out'].includes(body.status)) floodRun = body;
        if (process.env.FLOOD_DEBUG)
          console.log(JSON.stringify({ at: Date.now() - flooded, small: small.at(-1), backlog, status: body.status }));
      }
    } finally {
      worker = await workerRss.stop();
      scheduler = await schedulerRss.stop();
    }
    const floodMs = Date.now() - flooded;
    const report = {
      floodBytes: FLOOD_BYTES,
      floodMs,
      idleSmallRunMs: idle,
      smallRunsDuringFlood: small.length,
      slowestSmallRunMs: Math.max(...small),
      medianSmallRunMs: median(small),
      workerMaxRssMiB: Math.round(worker!.maxBytes / MiB),
      schedulerMaxRssMiB: Math.round(scheduler!.maxBytes / MiB),
      resultsBacklog: backlog,
      slowestReadyzMs: slowestHealth,
    };
    console.log(JSON.stringify(report));
    expect(floodRun.status).toBe('succeeded');
    expect(worker!.maxBytes).toBeLessThan(WORKER_RSS_BOUND);
    expect(await residentBytes(workerPid)).not.toBeNull();
    expect(small.length).toBeGreaterThan(0);
    expect(Math.max(...small)).toBeLessThan(SMALL_RUN_BOUND_MS);
    expect(median(small)).toBeLessThan(Math.max(SMALL_RUN_TYPICAL_FLOOR_MS, SMALL_RUN_TYPICAL_FACTOR * median(idle)));
    expect(backlog).toBeLessThan(RESULTS_BACKLOG_BOUND);
    expect(slowestHealth).toBeLessThan(3_000);

    // The log: the note of what was dropped first, then the latest lines, the last one the command's last.
    const { rows } = await db.query<{ seq: string; stream: string; message: string }>(
      `SELECT l.seq::text, l.stream, l.message FROM task_logs l JOIN task_runs t ON t.id = l.task_run_id
        WHERE t.run_id = $1 ORDER BY l.seq`,
      [run.id],
    );
    const [note, ...lines] = rows;
    expect(note).toMatchObject({ stream: 'system', message: expect.stringMatching(/^\d+ earlier lines dropped/) });
    const dropped = Number(/^(\d+)/.exec(note!.message)![1]);
    // 100 characters a line. Lines the worker dropped while the scheduler was behind are noted where they
    // were; notes trimmed away with the oldest lines take their counts with them, so this is at most.
    const printedLines = Math.ceil(FLOOD_BYTES / 100) + 2;
    const kept = lines.filter((line) => line.stream === 'stdout');
    expect(dropped).toBeGreaterThan(0);
    expect(dropped + kept.length).toBeLessThanOrEqual(printedLines);
    expect(lines.filter((line) => line.stream === 'system').every((line) => /^\d+ lines dropped by the worker/.test(line.message))).toBe(
      true,
    );
    expect(kept.at(-1)!.message).toBe('the end');
    // Lines of 100 x, the last of them shorter (1 GiB is not a multiple of 100).
    expect(kept.slice(0, -1).every((line) => /^x{0,100}$/.test(line.message))).toBe(true);
    const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line.message), 0);
    expect(bytes).toBeLessThanOrEqual(LOG_LIMIT);
    expect(bytes).toBeGreaterThan(LOG_LIMIT / 2);
  });
});
