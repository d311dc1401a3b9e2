import { FlowProducer, Queue, QueueEvents, Worker, type FlowJob } from 'bullmq';

/**
 * The baseline: the same shapes on plain BullMQ (FlowProducer for the
 * dependencies, one Worker doing nothing), on the same Redis. No durability
 * beyond Redis, no history, no retries policy: what a hand-rolled flow costs.
 */
export class RawBullmq {
  private readonly connection: { url: string; maxRetriesPerRequest: null };
  private readonly prefix: string;
  private readonly queueName = 'raw-noop';

  constructor(
    redisUrl: string,
    prefix: string,
    private readonly concurrency: number,
  ) {
    this.connection = { url: redisUrl, maxRetriesPerRequest: null };
    this.prefix = `{${prefix}}`;
  }

  private async withWorker<T>(work: (flows: FlowProducer, events: QueueEvents) => Promise<T>): Promise<T> {
    const worker = new Worker(this.queueName, async (job) => job.data, {
      connection: this.connection,
      prefix: this.prefix,
      concurrency: this.concurrency,
    });
    const flows = new FlowProducer({ connection: this.connection, prefix: this.prefix });
    const events = new QueueEvents(this.queueName, { connection: this.connection, prefix: this.prefix });
    await Promise.all([worker.waitUntilReady(), events.waitUntilReady()]);
    try {
      return await work(flows, events);
    } finally {
      await worker.close();
      await flows.close();
      await events.close();
      const queue = new Queue(this.queueName, { connection: this.connection, prefix: this.prefix });
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  }

  private waitFor(events: QueueEvents, jobId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onCompleted = ({ jobId: done }: { jobId: string }) => {
        if (done !== jobId) return;
        events.off('completed', onCompleted);
        resolve();
      };
      events.on('completed', onCompleted);
      setTimeout(() => reject(new Error(`raw job ${jobId} did not complete in 10 minutes`)), 600_000).unref();
    });
  }

  /** Root, then `width` children, then a join: returns milliseconds end to end. */
  async fanOut(width: number): Promise<number> {
    return this.withWorker(async (flows, events) => {
      const started = performance.now();
      const rootDone = this.waitFor(events, 'root');
      await flows.add({ name: 'root', queueName: this.queueName, data: { i: -1 }, opts: { jobId: 'root' } });
      await rootDone;
      const joinDone = this.waitFor(events, 'join');
      await flows.add({
        name: 'join',
        queueName: this.queueName,
        data: {},
        opts: { jobId: 'join' },
        children: Array.from({ length: width }, (_, i) => ({ name: `child-${i}`, queueName: this.queueName, data: { i } })),
      });
      await joinDone;
      return performance.now() - started;
    });
  }

  /** A chain of `length` jobs, each waiting for the previous one. */
  async chain(length: number): Promise<number> {
    return this.withWorker(async (flows, events) => {
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
      const done = this.waitFor(events, 'last');
      await flows.add(node);
      await done;
      return performance.now() - started;
    });
  }
}
