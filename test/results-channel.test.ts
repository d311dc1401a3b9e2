import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { StreamResultsChannel, RESULTS_CLAIM_IDLE_MS, type ResultsSubscription } from '@flowctl/queue';
import { OwnRedis } from './support/own-redis';
import { TEST_REDIS_URL } from './support/test-database';
import { succeededReport } from './support/result-messages';
import { consumerFailingOn, hangingConsumer } from './support/results-consumers';
import { waitFor } from './support/wait-for';

const report = succeededReport;

/** Worker reports on a real Redis stream: what a scheduler that dies, fails or loses Redis leaves behind. */
describe('results stream', () => {
  const clients: Redis[] = [];
  const subscriptions: ResultsSubscription[] = [];
  const connect = (url: string) => () => {
    const client = new Redis(url, { maxRetriesPerRequest: null });
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  };
  const channelOn = (url: string, prefix: string) => {
    const channel = new StreamResultsChannel(connect(url)(), connect(url), prefix);
    if (url === TEST_REDIS_URL) streams.push(channel.key);
    return channel;
  };
  const onError = () => undefined;
  /** Reads the channel as `consumer`, as a scheduler would; the task run ids of what it took, in order. */
  const readTaskRunIds = (channel: StreamResultsChannel, consumer: string): string[] => {
    const applied: string[] = [];
    subscriptions.push(
      channel.consume(consumer, async (messages) => void applied.push(...messages.map((m) => ('taskRunId' in m ? m.taskRunId : ''))), {
        batchSize: 10,
        onError,
      }),
    );
    return applied;
  };

  const streams: string[] = [];
  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
    // The shared Redis keeps nothing of a test's own.
    if (streams.length > 0) await connect(TEST_REDIS_URL)().del(...streams.splice(0));
    for (const client of clients.splice(0)) client.disconnect();
  });

  it('hands a report its scheduler took and never acknowledged to another scheduler', async () => {
    const prefix = `rc${randomBytes(4).toString('hex')}`;
    const channel = channelOn(TEST_REDIS_URL, prefix);
    const dying = await hangingConsumer(channel, 'dying', () => channel.publish(report('1')));
    subscriptions.push(dying.subscription);

    const applied = readTaskRunIds(channelOn(TEST_REDIS_URL, prefix), 'alive');
    await waitFor(async () => applied.includes('1'), { timeoutMs: RESULTS_CLAIM_IDLE_MS * 4, what: 'the live scheduler to claim it' });
    const pending = (await connect(TEST_REDIS_URL)().xpending(channel.key, 'schedulers')) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
    expect(await connect(TEST_REDIS_URL)().xlen(channel.key)).toBe(0);
    dying.release();
  });

  it('applies the good reports of a batch when one of them fails, and keeps the failing one for another try', async () => {
    const prefix = `rc${randomBytes(4).toString('hex')}`;
    const channel = channelOn(TEST_REDIS_URL, prefix);
    const { subscription, applied } = consumerFailingOn(channel, '666');
    subscriptions.push(subscription);
    await Promise.all(['11', '666', '13'].map((id) => channel.publish(report(id))));
    await waitFor(async () => applied.includes('11') && applied.includes('13'), { timeoutMs: 10_000, what: 'the good reports' });
    expect(applied).not.toContain('666');
    await waitFor(async () => applied.includes('666'), { timeoutMs: RESULTS_CLAIM_IDLE_MS * 4, what: 'the failed report to be retried' });
  });

  it('applies a batch once even when applying it took longer than a report may stay unacknowledged', async () => {
    const prefix = `rc${randomBytes(4).toString('hex')}`;
    const channel = channelOn(TEST_REDIS_URL, prefix);
    const applied: string[] = [];
    subscriptions.push(
      channel.consume(
        'slow',
        async (messages) => {
          applied.push(...messages.map((m) => ('taskRunId' in m ? m.taskRunId : '')));
          if (applied.length === 1) await new Promise((resolve) => setTimeout(resolve, RESULTS_CLAIM_IDLE_MS + 1_000));
        },
        { batchSize: 10, onError },
      ),
    );
    await channel.publish(report('1'));
    await waitFor(() => applied.length > 0, { what: 'the first batch' });
    await new Promise((resolve) => setTimeout(resolve, RESULTS_CLAIM_IDLE_MS + 1_000));
    await channel.publish(report('2'));
    await waitFor(() => applied.includes('2'), { timeoutMs: 15_000, what: 'the second report' });
    expect(applied).toEqual(['1', '2']);
  });

  it('recreates its consumer group after Redis lost everything, and goes on reading', async () => {
    const redis = await OwnRedis.start();
    try {
      const channel = channelOn(redis.url, 'lost');
      const applied = readTaskRunIds(channel, 'one');
      await channel.publish(report('21'));
      await waitFor(async () => applied.includes('21'), { timeoutMs: 10_000, what: 'the first report' });
      await connect(redis.url)().flushall();
      await channel.publish(report('22'));
      await waitFor(async () => applied.includes('22'), { timeoutMs: 15_000, what: 'a report after FLUSHALL' });
    } finally {
      await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
      await redis.kill();
    }
  });

  it('tells how many reports wait and how old the oldest is, for the results-lag metrics', async () => {
    const prefix = `rc${randomBytes(4).toString('hex')}`;
    const channel = channelOn(TEST_REDIS_URL, prefix);
    try {
      expect(await channel.backlog()).toEqual({ reports: 0, oldestAgeMs: 0 });
      await channel.publish(report('1'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await channel.publish(report('2'));
      const waiting = await channel.backlog();
      expect(waiting.reports).toBe(2);
      expect(waiting.oldestAgeMs).toBeGreaterThanOrEqual(40);

      const applied = readTaskRunIds(channel, 'alive');
      await waitFor(async () => (await channel.backlog()).reports === 0, { timeoutMs: 10_000, what: 'the backlog to drain' });
      expect(applied.sort()).toEqual(['1', '2']);
      expect((await channel.backlog()).oldestAgeMs).toBe(0);
    } finally {
      await connect(TEST_REDIS_URL)().del(channel.key);
    }
  });

  it('acknowledges an applied batch with its next read, and on close when it stops right after applying', async () => {
    const channel = channelOn(TEST_REDIS_URL, `rc${randomBytes(4).toString('hex')}`);
    const redis = connect(TEST_REDIS_URL)();
    const applied: string[] = [];
    const stop: { after?: string } = {};
    const closing: Promise<void>[] = [];
    const subscription: ResultsSubscription = channel.consume(
      'one',
      async (messages) => {
        applied.push(...messages.map((m) => ('taskRunId' in m ? m.taskRunId : '')));
        // Closed from inside the transaction: the loop ends before another read could carry the acknowledgement.
        if (stop.after !== undefined && applied.includes(stop.after)) closing.push(subscription.close());
      },
      { batchSize: 1, onError },
    );
    await channel.publish(report('1'));
    await waitFor(async () => (await redis.xlen(channel.key)) === 0, { timeoutMs: 10_000, what: 'the first report to be acknowledged' });
    expect(applied).toEqual(['1']);

    stop.after = '2';
    await channel.publish(report('2'));
    await waitFor(async () => closing.length === 1, { timeoutMs: 10_000, what: 'the second report to be applied' });
    await closing[0];
    expect(await redis.xlen(channel.key)).toBe(0);
    expect(((await redis.xpending(channel.key, 'schedulers')) as [number])[0]).toBe(0);
  });

  it('tells workers that outcomes may carry log lines only while no reader from before that is active', async () => {
    const channel = channelOn(TEST_REDIS_URL, `rc${randomBytes(4).toString('hex')}`);
    expect(await channel.readersTakeLogTails()).toBe(false); // nobody reads yet

    // A scheduler from before log tails reads under its bare id: it would apply the outcome and drop the lines.
    // (Redis lists a reader once it was handed a report.)
    const redis = connect(TEST_REDIS_URL)();
    await channel.publish(report('1'));
    await redis.xgroup('CREATE', channel.key, 'schedulers', '0', 'MKSTREAM');
    await redis.xreadgroup('GROUP', 'schedulers', 'scheduler-0', 'COUNT', 1, 'STREAMS', channel.key, '>');
    expect(await channel.readersTakeLogTails()).toBe(false);

    const applied = readTaskRunIds(channel, 'scheduler-1');
    await channel.publish(report('2'));
    await waitFor(async () => applied.includes('2'), { timeoutMs: 10_000, what: 'the new scheduler to read' });
    expect(await channel.readersTakeLogTails()).toBe(false);

    await redis.xgroup('DELCONSUMER', channel.key, 'schedulers', 'scheduler-0');
    expect(await channel.readersTakeLogTails()).toBe(true);
  });

  it('tells when every report sent before a mark has been applied, and ignores those sent after it', async () => {
    const channel = channelOn(TEST_REDIS_URL, `rc${randomBytes(4).toString('hex')}`);
    expect(await channel.isSettledThrough(await channel.mark())).toBe(true);

    await Promise.all(['1', '2'].map((id) => channel.publish(report(id))));
    const mark = await channel.mark();
    expect(await channel.isSettledThrough(mark)).toBe(false);

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const applied: string[] = [];
    subscriptions.push(
      channel.consume(
        'one',
        async (messages) => {
          const ids = messages.map((m) => ('taskRunId' in m ? m.taskRunId : ''));
          // The later report is held in its transaction: it is past the mark, so it must not matter.
          if (ids.includes('3')) await held;
          applied.push(...ids);
        },
        { batchSize: 1, onError },
      ),
    );
    await waitFor(async () => applied.includes('2'), { timeoutMs: 10_000, what: 'the reports before the mark to be applied' });
    await channel.publish(report('3'));
    await waitFor(async () => channel.isSettledThrough(mark), { timeoutMs: 10_000, what: 'the mark to be settled' });
    expect(await channel.isSettledThrough(await channel.mark())).toBe(false);
    release();
  });
});
