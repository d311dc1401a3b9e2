import { Client, Pool } from 'pg';
import { PostgresResultsChannel, type ResultMessage, type ResultsSubscription } from '@flowctl/queue';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { succeededReport as report } from './support/result-messages';
import { consumerFailingOn, hangingConsumer } from './support/results-consumers';
import { waitFor } from './support/wait-for';

jest.setTimeout(30_000);

const idOf = (message: ResultMessage) => ('taskRunId' in message ? message.taskRunId : '');

/** Worker reports in a table on the queue database (`npm run dev`): what a scheduler that dies or fails leaves behind. */
describe('results table on PostgreSQL', () => {
  let database: TestDatabase;
  const pools: Pool[] = [];
  const subscriptions: ResultsSubscription[] = [];
  const onError = () => undefined;

  /** Each channel has a pool of its own, as each process does. */
  const channelIn = (schema: string, process = 'flowctl-test') => {
    const pool = new Pool({ connectionString: database.url, max: 2, application_name: process });
    pool.on('error', () => undefined);
    pools.push(pool);
    return new PostgresResultsChannel(pool, database.url, schema);
  };
  const rowsIn = async (schema: string) => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(`SELECT deliveries FROM ${schema}.flowctl_results ORDER BY id`)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase('pg_results');
  });

  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('delivers what workers send, each report once, woken by the notification rather than the idle poll', async () => {
    const channel = channelIn('deliver');
    const applied: string[] = [];
    const batches: number[] = [];
    subscriptions.push(
      channel.consume(
        'one',
        async (messages) => {
          batches.push(messages.length);
          applied.push(...messages.map(idOf));
        },
        { batchSize: 50, onError },
      ),
    );
    await channel.publish(report('1'));
    await waitFor(async () => applied.includes('1'), { timeoutMs: 5_000, what: 'the first report' });
    // Sent together from one worker: they share inserts, and the scheduler takes them in batches.
    const worker = channelIn('deliver');
    const sentAt = Date.now();
    await Promise.all(Array.from({ length: 120 }, (_, i) => worker.publish(report(String(100 + i)))));
    await waitFor(async () => applied.length === 121, { timeoutMs: 10_000, what: 'every report' });
    expect(Date.now() - sentAt).toBeLessThan(900); // under the idle poll: a notification woke the consumer
    expect(new Set(applied).size).toBe(121);
    expect(Math.max(...batches)).toBeGreaterThan(1);
    expect(await rowsIn('deliver')).toEqual([]);
  });

  it('gives the reports of a scheduler that died mid-batch to another scheduler', async () => {
    const channel = channelIn('dying', 'dying-scheduler');
    const dying = await hangingConsumer(channel, 'dying', () => channel.publish(report('1')));
    subscriptions.push(dying.subscription);

    const applied: string[] = [];
    subscriptions.push(
      channelIn('dying').consume('alive', async (messages) => void applied.push(...messages.map(idOf)), { batchSize: 10, onError }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(applied).toEqual([]); // still held: the dying scheduler's transaction is open

    // Its process dies: PostgreSQL ends the session and rolls the take back.
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(
      `SELECT count(pg_terminate_backend(pid)) AS killed FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'dying-scheduler' AND state = 'idle in transaction'`,
    );
    await admin.end();
    await waitFor(async () => applied.includes('1'), { timeoutMs: 5_000, what: 'the live scheduler to take it' });
    expect(applied).toEqual(['1']);
    expect(await rowsIn('dying')).toEqual([]);
    dying.release(); // what is left of the dead one finds its connection gone
  });

  it('applies the good reports of a batch when one fails, and tries the failing one again later', async () => {
    const channel = channelIn('partial');
    const { subscription, applied } = consumerFailingOn(channel, '666');
    subscriptions.push(subscription);
    await Promise.all(['11', '666', '13'].map((id) => channel.publish(report(id))));
    await waitFor(async () => applied.includes('11') && applied.includes('13'), { timeoutMs: 5_000, what: 'the good reports' });
    expect(applied).not.toContain('666');
    expect((await rowsIn('partial')).map((row) => row.deliveries)).toEqual([1]);
    await waitFor(async () => applied.includes('666'), { timeoutMs: 10_000, what: 'the failed report to be retried' });
    expect(applied.filter((id) => id === '11')).toHaveLength(1);
  });

  it('tells when every report sent before a mark is applied; one put back for another try still counts', async () => {
    const channel = channelIn('marks');
    expect(await channel.isSettledThrough(await channel.mark())).toBe(true);
    await Promise.all(['1', '2'].map((id) => channel.publish(report(id))));
    const mark = await channel.mark();
    expect(await channel.isSettledThrough(mark)).toBe(false);

    const { subscription, applied } = consumerFailingOn(channel, '2');
    subscriptions.push(subscription);
    await waitFor(async () => applied.includes('1'), { timeoutMs: 5_000, what: 'the good report' });
    // '2' failed and went back to the table with a later id: it was sent before the mark all the same.
    expect(await channel.isSettledThrough(mark)).toBe(false);
    await waitFor(async () => applied.includes('2'), { timeoutMs: 10_000, what: 'the retried report' });
    await channel.publish(report('3'));
    expect(await channel.isSettledThrough(mark)).toBe(true);
  });

  it('drops a report that keeps failing after its last delivery, and says so', async () => {
    const channel = channelIn('poison');
    const errors: string[] = [];
    const pool = pools[0]!;
    await channel.publish(report('999'));
    // As if it had failed nineteen times already.
    await pool.query(`UPDATE poison.flowctl_results SET deliveries = 19`);
    subscriptions.push(
      channel.consume(
        'one',
        async () => {
          throw new Error('never');
        },
        { batchSize: 10, onError: (message) => errors.push(message) },
      ),
    );
    await waitFor(async () => errors.some((message) => message.includes('failed 20 times')), { timeoutMs: 5_000, what: 'the drop' });
    expect(await rowsIn('poison')).toEqual([]);
  });
});
