import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FlowctlUnderTest } from './flowctl-under-test';
import { RawBullmq } from './raw-bullmq';
import { chainWorkflow, fanOutWorkflow } from './shapes';

/**
 * `npm run bench`: the same shapes through the whole of flowctl (API,
 * PostgreSQL, Redis, worker, results, dependency release) and through raw
 * BullMQ FlowProducer, on the same Redis in the same run.
 */
const FAN_OUT = Number(process.env.BENCH_FAN_OUT ?? 5_000);
const CHAIN = Number(process.env.BENCH_CHAIN ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Row {
  shape: string;
  metric: string;
  flowctl: number;
  raw: number;
  /** flowctl relative to raw, >1 is better for flowctl on throughput rows, <1 on latency rows. */
  ratio: number;
}

async function main(): Promise<void> {
  const raw = new RawBullmq(REDIS_URL, `bench-raw-${randomBytes(3).toString('hex')}`, CONCURRENCY);
  const rawFanOutMs = await raw.fanOut(FAN_OUT);
  const rawChainMs = await raw.chain(CHAIN);

  const flowctl = await FlowctlUnderTest.start({ adminDatabaseUrl: ADMIN_DATABASE_URL, redisUrl: REDIS_URL, concurrency: CONCURRENCY });
  let fanOutMs: number;
  let chainMs: number;
  try {
    // One small run first so connection pools and caches are warm in both systems' measured runs.
    await flowctl.timeRun(chainWorkflow('warm-up', 5), 'warm-up');
    fanOutMs = await flowctl.timeRun(fanOutWorkflow('bench-fan-out', FAN_OUT), 'bench-fan-out');
    chainMs = await flowctl.timeRun(chainWorkflow('bench-chain', CHAIN), 'bench-chain');
  } finally {
    await flowctl.stop();
  }

  const tasks = FAN_OUT + 2;
  const rows: Row[] = [
    {
      shape: `fan-out ${FAN_OUT}`,
      metric: 'tasks/s',
      flowctl: tasks / (fanOutMs / 1000),
      raw: tasks / (rawFanOutMs / 1000),
      ratio: rawFanOutMs / fanOutMs,
    },
    { shape: `chain ${CHAIN}`, metric: 'ms/hop', flowctl: chainMs / CHAIN, raw: rawChainMs / CHAIN, ratio: chainMs / rawChainMs },
  ];
  const table = [
    ['shape', 'metric', 'flowctl', 'raw BullMQ', 'flowctl/raw'],
    ...rows.map((r) => [
      r.shape,
      r.metric,
      r.flowctl.toFixed(r.metric === 'tasks/s' ? 0 : 2),
      r.raw.toFixed(r.metric === 'tasks/s' ? 0 : 2),
      r.ratio.toFixed(2),
    ]),
  ];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  for (const row of table) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
  console.log(`(worker concurrency ${CONCURRENCY}; throughput ratio = flowctl tasks/s ÷ raw; hop ratio = flowctl ms/hop ÷ raw)`);

  const resultsDir = join(__dirname, '..', '..', 'bench', 'results');
  await mkdir(resultsDir, { recursive: true });
  await writeFile(
    join(resultsDir, 'latest.json'),
    `${JSON.stringify({ at: new Date().toISOString(), concurrency: CONCURRENCY, fanOut: FAN_OUT, chain: CHAIN, rows }, null, 2)}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
