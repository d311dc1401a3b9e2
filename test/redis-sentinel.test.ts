import { FlowctlStack } from './support/flowctl-stack';
import { OwnRedisSentinel } from './support/own-redis-sentinel';
import { historyProblems } from './support/run-history';
import { aWorkflow } from './support/workflow-factory';

describe('queues behind a real Redis Sentinel (REDIS_URL=redis+sentinel://...)', () => {
  let sentinel: OwnRedisSentinel;
  let stack: FlowctlStack;

  beforeAll(async () => {
    sentinel = await OwnRedisSentinel.start();
    stack = await FlowctlStack.start({ label: 'redis_sentinel', redisUrl: sentinel.url });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await sentinel?.stop();
  });

  it('finds the master through the sentinel and runs workflows on it', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'pair',
        tasks: [
          { name: 'a', type: 'sleep', with: { duration: '100ms' } },
          { name: 'b', dependsOn: ['a'] },
        ],
      }),
    );
    const { body: started } = await stack.api.post('/workflows/pair/runs');
    const run = await stack.waitForRun(started.id, 30_000);
    expect(run.status).toBe('succeeded');
    expect(await historyProblems(stack.api, started.id, 3)).toEqual([]);
    // The queues are on the master the sentinel named.
    const keys = await sentinel.master.command((redis) => redis.keys(`{${stack.env.FLOWCTL_QUEUE_PREFIX}}:*`));
    expect(keys.length).toBeGreaterThan(0);
  });
});
