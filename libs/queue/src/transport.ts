import {
  createPostgresBackend,
  Queue,
  QueueEvents,
  QueueEventsProducer,
  Worker,
  withBackend,
  type Processor,
  type RedisClient,
  type WorkerOptions,
} from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { Pool } from 'pg';
import { PostgresResultsChannel } from './postgres-results-channel';
import { bullConnection, openRedis, parseRedisUrl } from './redis-url';
import { StreamResultsChannel, type ResultsChannel } from './results-channel';

export interface TransportOptions {
  /** Redis, the production transport: one server, a Sentinel group or a Cluster (see parseRedisUrl). */
  redisUrl?: string;
  /** BullMQ's PostgreSQL backend: `flowctl dev` with no Redis. Used only when redisUrl is absent. */
  postgresUrl?: string;
  /**
   * Namespaces every queue: a Redis key prefix (hash-tagged, so one run's
   * queues stay on one Cluster slot) or a PostgreSQL schema. Tests use their own.
   */
  prefix?: string;
}

/** What the reconciler needs to know of a job that exists. */
export interface JobOutcome {
  finishedOn?: number;
  failedReason?: string;
}

type AnyQueue = Queue<any, any, string, any, any, any, any, any>;
type AnyWorker = Worker<any, any, string, any, any, any>;
type AnyEvents = QueueEvents<any, any, any>;
type AnyProducer = QueueEventsProducer<any, any>;

interface Classes {
  Queue: new (name: string, opts: any) => AnyQueue;
  Worker: new (name: string, processor: Processor | null, opts: any) => AnyWorker;
  QueueEvents: new (name: string, opts: any) => AnyEvents;
  QueueEventsProducer: new (name: string, opts: any) => AnyProducer;
}

/**
 * BullMQ's raw Redis client under a queue: its Redis backend's `client`, an escape hatch outside the
 * backend interface, like the "<job key>:lock" and job-hash fields this file reads. BullMQ is pinned
 * exactly (package.json) and test/dependency-tripwires.test.ts names whichever of these an upgrade moves.
 */
function rawRedisClient(queue: AnyQueue): Promise<RedisClient> {
  return (queue.getBackend() as unknown as { client: Promise<RedisClient> }).client;
}

/**
 * The one place that knows which BullMQ backend is in use. Everything else asks
 * it for queues and workers by name and stays backend-agnostic.
 */
export class QueueTransport {
  private readonly queues = new Map<string, AnyQueue>();
  private readonly producers = new Map<string, AnyProducer>();
  private readonly workers: AnyWorker[] = [];
  private readonly closables: { close(): Promise<void> }[] = [];
  private readonly classes: Classes;
  private readonly connection: unknown;
  private readonly redisPrefix: string | undefined;
  private readonly redisUrl: string | undefined;
  private readonly postgres: { url: string; schemaBase: string } | undefined;
  private resultsChannel?: ResultsChannel;
  /** BullMQ shares a Cluster it is given instead of closing it: the transport closes it last. */
  private readonly cluster: Cluster | undefined;
  readonly kind: 'redis' | 'postgres';
  readonly prefix: string;

  constructor(options: TransportOptions) {
    this.prefix = options.prefix ?? 'flowctl';
    if (options.redisUrl) {
      this.kind = 'redis';
      this.redisUrl = options.redisUrl;
      this.classes = { Queue, Worker, QueueEvents, QueueEventsProducer } as unknown as Classes;
      const connection = bullConnection(parseRedisUrl(options.redisUrl));
      this.connection = connection;
      this.cluster = (connection as Partial<Cluster>).isCluster ? (connection as Cluster) : undefined;
      this.cluster?.on('error', () => undefined); // as for queues: failures surface through the calls that fail
      // Hash-tagged: every key of every queue maps to one Cluster slot, as BullMQ's multi-key scripts require.
      this.redisPrefix = `{${this.prefix}}`;
      this.postgres = undefined;
    } else if (options.postgresUrl) {
      this.kind = 'postgres';
      this.classes = withBackend(createPostgresBackend) as unknown as Classes;
      const schemaBase = this.prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
      this.postgres = { url: options.postgresUrl, schemaBase };
      // migrate: whichever process connects first creates BullMQ's tables (the backend serialises it).
      this.connection = {
        connectionString: options.postgresUrl,
        schema: `${schemaBase}_queues`,
        max: 5,
        migrate: true,
      };
      this.redisPrefix = undefined;
      this.cluster = undefined;
    } else {
      throw new Error('the queue transport needs REDIS_URL or a PostgreSQL URL');
    }
  }

  private baseOptions(): Record<string, unknown> {
    return this.redisPrefix ? { connection: this.connection, prefix: this.redisPrefix } : { connection: this.connection };
  }

  queue(name: string): AnyQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new this.classes.Queue(name, this.baseOptions());
      queue.on('error', () => undefined); // connection errors surface through the calls that fail
      this.queues.set(name, queue);
      this.closables.push(queue);
    }
    return queue;
  }

  /** Where workers' reports travel: a Redis stream, or a table beside BullMQ's PostgreSQL backend (which has no streams). */
  results(): ResultsChannel {
    if (!this.resultsChannel) {
      if (this.redisUrl) {
        const url = this.redisUrl;
        const connect = () => {
          const client = openRedis(parseRedisUrl(url), { maxRetriesPerRequest: null }) as Redis;
          client.on('error', () => undefined); // failures surface through the calls that fail
          this.closables.push({ close: async () => void client.disconnect() });
          return client;
        };
        this.resultsChannel = new StreamResultsChannel(connect(), connect, this.prefix);
      } else {
        const { url, schemaBase } = this.postgres!;
        const pool = new Pool({ connectionString: url, max: 2, application_name: 'flowctl-results' });
        pool.on('error', () => undefined); // an idle connection's failure surfaces through the next query
        this.closables.push({ close: () => pool.end() });
        // A schema of its own: creating it never races BullMQ's migrator for the queues' schema.
        this.resultsChannel = new PostgresResultsChannel(pool, url, `${schemaBase}_results`);
      }
    }
    return this.resultsChannel;
  }

  worker(name: string, processor: Processor, options: Omit<WorkerOptions, 'connection'> = {}): AnyWorker {
    const worker = new this.classes.Worker(name, processor, { ...this.baseOptions(), ...options });
    this.workers.push(worker);
    return worker;
  }

  events(name: string): AnyEvents {
    const events = new this.classes.QueueEvents(name, this.baseOptions());
    this.closables.push(events);
    return events;
  }

  eventsProducer(name: string): AnyProducer {
    let producer = this.producers.get(name);
    if (!producer) {
      producer = new this.classes.QueueEventsProducer(name, this.baseOptions());
      this.producers.set(name, producer);
      this.closables.push(producer);
    }
    return producer;
  }

  /**
   * Removes a job; with evenIfLocked also one a worker still holds. That is for
   * an attempt PostgreSQL has already ended because its worker was lost: its
   * lock outlives a kill -9 by BullMQ's lock duration, and were the job left,
   * BullMQ's stalled check would hand the ended attempt to another worker and
   * run it again. A worker that was only partitioned loses its lock and its
   * late report is dropped. Resolves whether the job is gone.
   */
  async removeJob(name: string, jobId: string, options: { evenIfLocked?: boolean } = {}): Promise<boolean> {
    const queue = this.queue(name);
    if (options.evenIfLocked && this.kind === 'redis') {
      const client = await rawRedisClient(queue);
      await client.del(`${queue.toKey(jobId)}:lock`);
    }
    return (await queue.remove(jobId)) === 1 || !(await queue.getJob(jobId));
  }

  /**
   * Of each job, whether it exists (undefined if not) and how it ended, in the order asked. On Redis
   * one pipeline of EXISTS and HMGET answers a whole page, without the jobs' data; reading every
   * job whole, one by one, made a pass over 100,000 tasks in flight 100,000 round trips and every
   * input. (On BullMQ's PostgreSQL backend, job by job.)
   */
  async jobOutcomes(name: string, jobIds: readonly string[]): Promise<(JobOutcome | undefined)[]> {
    const queue = this.queue(name);
    if (this.kind !== 'redis') {
      return Promise.all(
        jobIds.map(async (jobId) => {
          const job = await queue.getJob(jobId);
          return job ? { finishedOn: job.finishedOn, failedReason: job.failedReason } : undefined;
        }),
      );
    }
    if (jobIds.length === 0) return [];
    const client = await rawRedisClient(queue);
    const pipeline = client.pipeline();
    for (const jobId of jobIds) {
      const key = queue.toKey(jobId);
      pipeline.runCommand('exists', [key]).runCommand('hmget', [key, 'finishedOn', 'failedReason']);
    }
    const answers = (await pipeline.exec()) ?? [];
    return jobIds.map((jobId, index) => {
      const [existsError, exists] = answers[2 * index] ?? [new Error(`no answer for job ${jobId}`)];
      const [fieldsError, fields] = answers[2 * index + 1] ?? [new Error(`no answer for job ${jobId}`)];
      if (existsError || fieldsError) throw existsError ?? fieldsError;
      if (Number(exists) !== 1) return undefined;
      const [finishedOn, failedReason] = fields as (string | null)[];
      return { finishedOn: finishedOn ? Number(finishedOn) : undefined, failedReason: failedReason ?? undefined };
    });
  }

  /**
   * A worker's own liveness mark, written straight to Redis for ttlMs. Its
   * registrations travel on the results channel behind task reports, so a
   * backlog there can make a live worker look silent; this mark cannot lag.
   * (BullMQ's PostgreSQL backend has no such side channel: a no-op there.)
   */
  async markAlive(workerId: string, ttlMs: number): Promise<void> {
    if (this.kind !== 'redis') return;
    await (await this.redisClient()).set(this.aliveKey(workerId), '1', { PX: ttlMs });
  }

  /** Of these workers, the ones whose liveness mark has not expired. */
  async aliveAmong(workerIds: readonly string[]): Promise<Set<string>> {
    if (this.kind !== 'redis' || workerIds.length === 0) return new Set();
    const client = await this.redisClient();
    const marks = await Promise.all(workerIds.map((id) => client.get(this.aliveKey(id))));
    return new Set(workerIds.filter((_, i) => marks[i] !== null));
  }

  /**
   * Resolves when the queues answer within timeoutMs (a read of a queue's job
   * counts, through the same backend tasks travel on), rejects otherwise: a
   * worker's /healthz tells whether it can take tasks, not only that it runs.
   */
  async probe(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from the queues within ${timeoutMs}ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.queue('_control').getJobCounts('wait'), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private aliveKey(workerId: string): string {
    return `${this.redisPrefix}:alive:${workerId}`;
  }

  private async redisClient() {
    return rawRedisClient(this.queue('_control'));
  }

  /** Workers first (they finish their current jobs), then everything else. */
  async close(): Promise<void> {
    await Promise.allSettled(this.workers.map((worker) => worker.close()));
    await Promise.allSettled(this.closables.map((closable) => closable.close()));
    this.workers.length = 0;
    this.closables.length = 0;
    this.queues.clear();
    this.producers.clear();
    await this.cluster?.quit().catch(() => this.cluster?.disconnect());
    this.resultsChannel = undefined;
  }
}
