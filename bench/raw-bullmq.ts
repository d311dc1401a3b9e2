import { createPostgresBackend, FlowProducer, Queue, QueueEvents, Worker, withBackend, type FlowJob, type FlowJobNode } from 'bullmq';

/** Where raw BullMQ keeps its queues: Redis, or BullMQ's PostgreSQL backend (what `flowctl dev` uses). */
export type RawBackend = { kind: 'redis'; url: string; prefix: string } | { kind: 'postgres'; url: string; schema: string };

interface Classes {
  Queue: new (name: string, opts: any) => Queue<any, any, string, any, any, any, any, any>;
  Worker: new (name: string, processor: (job: { data: unknown }) => Promise<unknown>, opts: any) => Worker<any, any, string, any, any, any>;
  QueueEvents: new (name: string, opts: any) => QueueEvents<any, any, any>;
  FlowProducer: new (opts: any) => FlowProducer<any, any>;
}

type Flows = { add(flow: FlowJob): Promise<unknown> };

/**
 * The baseline: the same shapes on plain BullMQ (FlowProducer for the
 * dependencies, one Worker doing nothing), on the same Redis or PostgreSQL.
 * No durability beyond the queue store, no history, no retry policy: what a
 * hand-rolled flow costs.
 */
export class RawBullmq {
  private readonly classes: Classes;
  private readonly options: Record<string, unknown>;
  private readonly queueName = 'raw-noop';

  constructor(
    backend: RawBackend,
    private readonly concurrency: number,
  ) {
    if (backend.kind === 'redis') {
      this.classes = { Queue, Worker, QueueEvents, FlowProducer } as unknown as Classes;
      this.options = { connection: { url: backend.url, maxRetriesPerRequest: null }, prefix: `{${backend.prefix}}` };
    } else {
      this.classes = withBackend(createPostgresBackend) as unknown as Classes;
      this.options = { connection: { connectionString: backend.url, schema: backend.schema, max: 5, migrate: true } };
    }
  }

  private async withWorker<T>(work: (flows: Flows, completion: (jobId: string) => Promise<void>) => Promise<T>): Promise<T> {
    const worker = new this.classes.Worker(this.queueName, async (job) => job.data, { ...this.options, concurrency: this.concurrency });
    const flows = new this.classes.FlowProducer(this.options);
    const events = new this.classes.QueueEvents(this.queueName, this.options);
    const waiting = new Map<string, () => void>();
    events.on('completed', ({ jobId }: { jobId: string }) => {
      waiting.get(jobId)?.();
      waiting.delete(jobId);
    });
    const completion = (jobId: string) => new Promise<void>((resolve) => waiting.set(jobId, resolve));
    await Promise.all([worker.waitUntilReady(), events.waitUntilReady()]);
    try {
      return await work(flows, completion);
    } finally {
      await worker.close();
      await flows.close();
      await events.close();
      const queue = new this.classes.Queue(this.queueName, this.options);
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  }

  private leaf(name: string, data: unknown): FlowJobNode {
    return { name, queueName: this.queueName, data };
  }

  /** Root, then `width` children, then a join: returns milliseconds end to end. */
  async fanOut(width: number): Promise<number> {
    return this.withWorker(async (flows, completion) => {
      const started = performance.now();
      const rootDone = completion('root');
      await flows.add({ name: 'root', queueName: this.queueName, data: { i: -1 }, opts: { jobId: 'root' } });
      await rootDone;
      const joinDone = completion('join');
      await flows.add({
        name: 'join',
        queueName: this.queueName,
        data: {},
        opts: { jobId: 'join' },
        children: Array.from({ length: width }, (_, i) => this.leaf(`child-${i}`, { i })),
      });
      await joinDone;
      return performance.now() - started;
    });
  }

  /** A chain of `length` jobs, each waiting for the previous one. */
  async chain(length: number): Promise<number> {
    return this.withWorker(async (flows, completion) => {
      let node: FlowJob = { name: 'hop-0', queueName: this.queueName, data: { i: 0 } };
      for (let i = 1; i < length; i++) {
        node = {
          name: `hop-${i}`,
          queueName: this.queueName,
          data: { i },
          children: [node],
          ...(i === length - 1 ? { opts: { jobId: 'last' } } : {}),
        };
      }
      const started = performance.now();
      const done = completion('last');
      await flows.add(node);
      await done;
      return performance.now() - started;
    });
  }

  /**
   * `count` diamonds (a, then b c d, then e) started at once. A BullMQ flow is
   * a tree (a job has one parent), so a diamond is hand-rolled as users do it:
   * the flow of `a`, and when it completes the flow e <- (b, c, d).
   * Returns each run's milliseconds from start to e, and the wall time of all.
   */
  async diamonds(count: number): Promise<{ latenciesMs: number[]; wallMs: number }> {
    return this.withWorker(async (flows, completion) => {
      const started = performance.now();
      const latenciesMs = await Promise.all(
        Array.from({ length: count }, async (_, run) => {
          const runStarted = performance.now();
          const aDone = completion(`d${run}-a`);
          await flows.add({ name: 'a', queueName: this.queueName, data: { run }, opts: { jobId: `d${run}-a` } });
          await aDone;
          const eDone = completion(`d${run}-e`);
          await flows.add({
            name: 'e',
            queueName: this.queueName,
            data: { run },
            opts: { jobId: `d${run}-e` },
            children: ['b', 'c', 'd'].map((name) => this.leaf(name, { run })),
          });
          await eDone;
          return performance.now() - runStarted;
        }),
      );
      return { latenciesMs, wallMs: performance.now() - started };
    });
  }
}
