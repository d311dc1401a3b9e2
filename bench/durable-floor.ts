import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { Client } from 'pg';

export const FLOOR_GROUP = 'floor-scheduler';

export interface FloorSettings {
  redisUrl: string;
  databaseUrl: string;
  prefix: string;
  table: string;
  length: number;
}

export type FloorMessage = { kind: 'ready' } | { kind: 'done' };

export function floorNames(prefix: string): { prefix: string; queue: string; results: string } {
  return { prefix: `{${prefix}}`, queue: 'floor-noop', results: `{${prefix}}:floor-results` };
}

/** Longer than any chain the bench measures; a stuck floor fails the row instead of hanging the bench. */
const FLOOR_TIMEOUT_MS = 5 * 60_000;

/**
 * The least a chain hop can cost in flowctl's shape on this machine: raw
 * BullMQ, plus what any design with a separate durable scheduler adds per hop
 * (the worker reports on a Redis stream, a second process reads it, commits
 * one row to PostgreSQL, enqueues the next job, acknowledges). No dependency
 * logic, no history, no run state: a floor to read flowctl's chain against.
 */
export class DurableFloor {
  constructor(
    private readonly redisUrl: string,
    private readonly databaseUrl: string,
    private readonly concurrency: number,
  ) {}

  /** Milliseconds for `length` hops, from the first job's enqueue to the last result's commit. */
  async chain(length: number): Promise<number> {
    const suffix = randomBytes(3).toString('hex');
    const settings: FloorSettings = {
      redisUrl: this.redisUrl,
      databaseUrl: this.databaseUrl,
      prefix: `bench-floor-${suffix}`,
      table: `bench_floor_${suffix}`,
      length,
    };
    const names = floorNames(settings.prefix);
    const connection = { url: this.redisUrl, maxRetriesPerRequest: null };
    const redis = new Redis(this.redisUrl, { maxRetriesPerRequest: null });
    const database = new Client({ connectionString: this.databaseUrl });
    await database.connect();
    let scheduler: ChildProcess | undefined;
    let worker: Worker | undefined;
    const queue = new Queue(names.queue, { connection, prefix: names.prefix });
    let ms: number;
    try {
      await database.query(`CREATE TABLE ${settings.table} (id int PRIMARY KEY, hops int NOT NULL)`);
      await database.query(`INSERT INTO ${settings.table} VALUES (1, 0)`);
      await redis.xgroup('CREATE', names.results, FLOOR_GROUP, '$', 'MKSTREAM');
      worker = new Worker(
        names.queue,
        async (job) => {
          await redis.xadd(names.results, '*', 'hop', String((job.data as { hop: number }).hop));
        },
        { connection, prefix: names.prefix, concurrency: this.concurrency },
      );
      await worker.waitUntilReady();
      scheduler = fork(join(__dirname, 'durable-floor-scheduler.js'), {
        env: { ...process.env, FLOOR_SETTINGS: JSON.stringify(settings) },
      });
      const child = scheduler;
      const exited = once(child, 'exit').then(([code]) => {
        throw new Error(`the floor's scheduler exited (${String(code)}) before the chain ended`);
      });
      exited.catch(() => undefined);
      const message = (kind: FloorMessage['kind']) =>
        new Promise<void>((resolve) => child.on('message', (m: FloorMessage) => m.kind === kind && resolve()));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`durable floor chain of ${length} not done in ${FLOOR_TIMEOUT_MS} ms`)),
          FLOOR_TIMEOUT_MS,
        );
      });
      try {
        await Promise.race([message('ready'), exited, timeout]);
        const done = message('done');
        const started = performance.now();
        await queue.add('hop', { hop: 0 });
        await Promise.race([done, exited, timeout]);
        ms = performance.now() - started;
      } finally {
        clearTimeout(timer);
      }
      const { rows } = await database.query<{ hops: number }>(`SELECT hops FROM ${settings.table} WHERE id = 1`);
      if (rows[0]?.hops !== length) throw new Error(`the floor committed ${rows[0]?.hops} hops of ${length}`);
      return ms;
    } finally {
      scheduler?.kill();
      await worker?.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await redis.del(names.results);
      redis.disconnect();
      await database.query(`DROP TABLE IF EXISTS ${settings.table}`);
      await database.end();
    }
  }
}
