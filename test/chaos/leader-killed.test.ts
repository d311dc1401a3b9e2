import { TestApi } from '../support/api-client';
import { FlowctlStack } from '../support/flowctl-stack';
import { freePort } from '../../apps/flowctl/src/dev/embedded-database';
import { OwnRedis } from '../support/own-redis';
import { historyProblems, waitForRuns } from '../support/run-history';
import { waitFor } from '../support/wait-for';
import { aWorkflow } from '../support/workflow-factory';

const MAX_ATTEMPTS = 3;

describe('chaos: the leader scheduler killed with a retry pending', () => {
  let redis: OwnRedis;
  let stack: FlowctlStack;
  let standby: TestApi;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    // The stack's lease TTL is 3 s; the first scheduler starts alone, so it leads.
    stack = await FlowctlStack.start({
      label: 'chaos_leader_killed',
      redisUrl: redis.url,
      schedulerEnv: { FLOWCTL_SCHEDULER_ID: 'leader-a' },
    });
    await waitFor(async () => (await stack.api.get('/cluster')).body.leader === 'leader-a', { what: 'leader-a to lead' });
    const port = await freePort();
    await stack.startScheduler({ PORT: String(port), FLOWCTL_SCHEDULER_ID: 'standby-b' });
    standby = new TestApi(`http://127.0.0.1:${port}`);
  });

  afterAll(async () => {
    await stack?.stop();
    await redis?.kill();
  });

  it('lets the standby take the lease and release the pending retry, and the run succeeds', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'flaky-chain',
        tasks: [
          {
            name: 'flaky',
            type: 'fail',
            retry: { maxAttempts: MAX_ATTEMPTS, initialInterval: '2s' },
            with: { message: 'try again', untilAttempt: 2 },
          },
          { name: 'after', dependsOn: ['flaky'] },
        ],
      }),
    );
    const { body: started } = await stack.api.post('/workflows/flaky-chain/runs');
    await waitFor(
      async () => (await stack.api.get(`/runs/${started.id}`)).body.tasks.find((t: any) => t.name === 'flaky')?.status === 'retrying',
      { what: 'the first attempt to fail and its retry to wait' },
    );

    const leader = stack.processesNamed('scheduler')[0]!;
    leader.child.kill('SIGKILL');
    await leader.exited;
    const killedAt = Date.now();

    await waitFor(async () => (await standby.get('/cluster')).body.leader === 'standby-b', {
      timeoutMs: 15_000,
      what: 'standby-b to lead',
    });
    const takeoverMs = Date.now() - killedAt;
    const [run] = await waitForRuns(standby, [started.id], 20_000);
    const completedMs = Date.now() - killedAt;
    console.log(`leader kill -9 -> standby leads after ${takeoverMs} ms (lease TTL 3 s); run succeeded ${completedMs} ms after the kill`);

    // The lease outlives the leader by at most one TTL (3 s), and the standby tries every TTL/3; the rest is slack for a loaded CI machine.
    expect(takeoverMs).toBeLessThan(5_000);
    expect(run.status).toBe('succeeded');
    expect(run.tasks.map((t: any) => [t.name, t.status, t.attempt])).toEqual([
      ['flaky', 'succeeded', 2],
      ['after', 'succeeded', 1],
    ]);
    expect(await historyProblems(standby, started.id, MAX_ATTEMPTS)).toEqual([]);
    // The retry was still pending at the kill: the new leader is the one that released it.
    const events = (await standby.get(`/runs/${started.id}/events`)).body.items as {
      type: string;
      task: string;
      attempt: number;
      at: string;
    }[];
    const requeued = events.find((e) => e.type === 'task_queued' && e.task === 'flaky' && e.attempt === 2);
    expect(new Date(requeued!.at).getTime()).toBeGreaterThanOrEqual(killedAt - 50);
    const cluster = (await standby.get('/cluster')).body;
    expect(cluster.schedulers.find((s: any) => s.id === 'standby-b')?.leader).toBe(true);
  });
});
