import { FlowctlStack } from './support/flowctl-stack';
import { OwnRedis } from './support/own-redis';
import { waitFor } from './support/wait-for';

describe('Redis settings check at start', () => {
  let redis: OwnRedis;
  let stack: FlowctlStack | undefined;

  beforeAll(async () => {
    redis = await OwnRedis.start();
  });

  afterAll(async () => {
    await stack?.stop();
    await redis?.kill();
  });

  it('warns clearly when maxmemory-policy lets Redis evict queued jobs', async () => {
    await redis.command((client) => client.config('SET', 'maxmemory-policy', 'allkeys-lru'));
    stack = await FlowctlStack.start({ label: 'redis_settings', redisUrl: redis.url, workers: 0 });
    // Log lines are JSON: the quotes around the policy arrive escaped.
    await waitFor(() => /Redis maxmemory-policy is \\?"allkeys-lru\\?".*Set maxmemory-policy noeviction/.test(String(stack!.output)), {
      timeoutMs: 10_000,
      what: 'the eviction policy warning',
    });
  });
});
