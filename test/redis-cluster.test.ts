import { FlowctlStack } from './support/flowctl-stack';
import { OwnRedisCluster } from './support/own-redis-cluster';
import { historyProblems } from './support/run-history';
import { aWorkflow } from './support/workflow-factory';

describe('queues on a real three-node Redis Cluster (REDIS_URL=redis+cluster://...)', () => {
  let cluster: OwnRedisCluster;
  let stack: FlowctlStack;

  beforeAll(async () => {
    cluster = await OwnRedisCluster.start(3);
    stack = await FlowctlStack.start({ label: 'redis_cluster', redisUrl: cluster.url, workers: 2 });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await cluster?.stop();
  });

  it('runs a fan-out workflow to success, its queues on the cluster', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'fan',
        tasks: [
          { name: 'start' },
          ...['a', 'b', 'c', 'd'].map((name) => ({ name, type: 'sleep', dependsOn: ['start'], with: { duration: '200ms' } })),
          { name: 'join', dependsOn: ['a', 'b', 'c', 'd'] },
        ],
      }),
    );
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await stack.api.post('/workflows/fan/runs')).body.id);
    for (const id of ids) {
      const run = await stack.waitForRun(id, 60_000);
      expect(run.status).toBe('succeeded');
      expect(run.tasks.map((t: any) => t.status)).toEqual(Array(6).fill('succeeded'));
      expect(await historyProblems(stack.api, id, 3)).toEqual([]);
    }

    // The queues really are on the cluster: the hash-tagged prefix puts every key on the one node owning its slot.
    const perNode = await Promise.all(cluster.ports.map((port) => cluster.keyCount(port)));
    expect(perNode.filter((count) => count > 0)).toHaveLength(1);
    const workers = (await stack.api.get('/workers')).body.items as { status: string }[];
    expect(workers.map((w) => w.status)).toEqual(['active', 'active']);
  }, 90_000);
});
