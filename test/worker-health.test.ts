import { freePort } from '../apps/flowctl/src/dev/embedded-database';
import { startNodeProcess, type ManagedProcess } from '../apps/flowctl/src/dev/child-process';
import { WORKER_MAIN } from './support/flowctl-stack';
import { OwnRedis } from './support/own-redis';
import { waitFor } from './support/wait-for';

/** The worker's /healthz answers whether it can take tasks: it asks its queues, so a lost Redis shows. */
describe('worker /healthz', () => {
  let redis: OwnRedis;
  let worker: ManagedProcess;
  let healthz: string;
  const output: string[] = [];

  beforeAll(async () => {
    redis = await OwnRedis.start();
    const port = await freePort();
    healthz = `http://127.0.0.1:${port}/healthz`;
    worker = startNodeProcess(
      'worker',
      WORKER_MAIN,
      { REDIS_URL: redis.url, METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1', WORKER_TYPES: 'noop', FLOWCTL_QUEUE_PREFIX: 'health' },
      { write: (text: string) => output.push(text) },
    );
  });

  afterAll(async () => {
    await worker?.stop(2_000);
    await redis?.kill();
  });

  const probe = async () => {
    const response = await fetch(healthz).catch(() => undefined);
    return response && { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
  };

  it('is healthy while the queues answer, unavailable with the reason while they do not, and healthy again after', async () => {
    const up = await waitFor(async () => (await probe())?.status === 200 && probe(), {
      timeoutMs: 20_000,
      what: `a healthy worker (${output.join('')})`,
    });
    expect(up).toEqual({ status: 200, body: { status: 'ok' } });

    await redis.kill();
    const down = await waitFor(
      async () => {
        const answer = await probe();
        return answer?.status === 503 && answer;
      },
      { timeoutMs: 15_000, what: 'the worker to report its queues unreachable' },
    );
    expect(down.body.status).toBe('unavailable');
    expect(down.body.reason).toEqual(expect.any(String));

    // Alive all along: a liveness probe must not restart a worker for its Redis's sake.
    expect((await fetch(healthz.replace('/healthz', '/livez'))).status).toBe(200);

    await redis.restart();
    await waitFor(async () => (await probe())?.status === 200, { timeoutMs: 20_000, what: 'the worker to be healthy again' });
  });
});
