import type { ManagedProcess } from '../../apps/flowctl/src/dev/child-process';
import { freePort } from '../../apps/flowctl/src/dev/embedded-database';
import { TestApi } from '../support/api-client';
import { FlowctlStack } from '../support/flowctl-stack';
import { OwnRedis } from '../support/own-redis';
import { historyProblems } from '../support/run-history';
import { waitFor } from '../support/wait-for';
import { aWorkflow } from '../support/workflow-factory';

const MAX_ATTEMPTS = 5;
const RUNS = 200;
const CHAOS_MS = 20_000;
const WORKER_ENV = { FLOWCTL_WORKER_HEARTBEAT_INTERVAL: '400ms', WORKER_CONCURRENCY: '20' };

const isAlive = (managed: ManagedProcess) => managed.child.exitCode === null && managed.child.signalCode === null;

describe('chaos: two schedulers and three workers killed at random under 200 runs', () => {
  let redis: OwnRedis;
  let stack: FlowctlStack;
  const schedulers = new Map<ManagedProcess, string>();
  const apis: TestApi[] = [];

  /** Any scheduler that answers: they all serve the API. */
  async function ask(path: string, postBody?: unknown): Promise<any> {
    for (;;) {
      for (const api of apis) {
        const response = await (postBody === undefined ? api.get(path) : api.post(path, postBody)).catch(() => undefined);
        if (response && response.status >= 200 && response.status < 300) return response.body;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    redis = await OwnRedis.start();
    stack = await FlowctlStack.start({
      label: 'chaos_random_kills',
      redisUrl: redis.url,
      workers: 3,
      schedulerEnv: { FLOWCTL_WORKER_LOST_AFTER: '2s', FLOWCTL_RECONCILE_INTERVAL: '2s' },
      workerEnv: WORKER_ENV,
    });
    const first = stack.processesNamed('scheduler')[0]!;
    schedulers.set(first, stack.env.PORT!);
    apis.push(stack.api);
    const port = String(await freePort());
    schedulers.set(await stack.startScheduler({ PORT: port, FLOWCTL_WORKER_LOST_AFTER: '2s', FLOWCTL_RECONCILE_INTERVAL: '2s' }), port);
    apis.push(new TestApi(`http://127.0.0.1:${port}`));
  });

  afterAll(async () => {
    await stack?.stop();
    await redis?.kill();
  });

  it('completes every run, within its attempts, with a consistent history', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'chain',
        spec: { defaults: { retry: { maxAttempts: MAX_ATTEMPTS, initialInterval: '200ms' } } },
        tasks: [
          { name: 'a', type: 'sleep', with: { duration: '1s' } },
          { name: 'b', type: 'sleep', dependsOn: ['a'], with: { duration: '1s' } },
          { name: 'c', dependsOn: ['b'] },
        ],
      }),
    );
    // Runs start throughout the chaos (one every 100 ms), each a key of its own so a POST retried on the other scheduler starts it once.
    const ids: string[] = [];
    const creating = (async () => {
      for (let i = 0; i < RUNS; i++) {
        ids.push((await ask(`/workflows/chain/runs`, { idempotencyKey: `chaos-${i}` })).id);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    const kills: string[] = [];
    const chaosEnd = Date.now() + CHAOS_MS;
    while (Date.now() < chaosEnd) {
      await new Promise((resolve) => setTimeout(resolve, 1_000 + Math.random() * 1_500));
      const liveSchedulers = [...schedulers.keys()].filter(isAlive);
      const liveWorkers = stack.processesNamed('worker').filter(isAlive);
      const victims = [...liveSchedulers, ...liveWorkers];
      const victim = victims[Math.floor(Math.random() * victims.length)]!;
      victim.child.kill('SIGKILL');
      await victim.exited;
      kills.push(victim.name);
      if (victim.name === 'worker') stack.startWorker(WORKER_ENV);
      else {
        const port = schedulers.get(victim)!;
        schedulers.delete(victim);
        schedulers.set(await stack.startScheduler({ PORT: port, FLOWCTL_WORKER_LOST_AFTER: '2s', FLOWCTL_RECONCILE_INTERVAL: '2s' }), port);
      }
    }
    const chaosOverAt = Date.now();
    await creating;

    const runs: any[] = [];
    for (const id of ids) {
      runs.push(
        await waitFor(
          async () => {
            const run = await ask(`/runs/${id}`);
            return ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(run.status) ? run : undefined;
          },
          { timeoutMs: 60_000, what: `run ${id} to finish` },
        ),
      );
    }
    console.log(
      `${kills.length} kills in ${CHAOS_MS} ms (${kills.filter((k) => k === 'scheduler').length} schedulers); all ${RUNS} runs done ${Date.now() - chaosOverAt} ms after the last kill`,
    );

    expect(runs.filter((run) => run.status !== 'succeeded').map((run) => [run.id, run.status])).toEqual([]);
    const problems: string[] = [];
    for (const run of runs) {
      for (const task of run.tasks) if (task.attempt > MAX_ATTEMPTS) problems.push(`${run.id} ${task.name}: attempt ${task.attempt}`);
      problems.push(
        ...(await historyProblems(apis[0]!, run.id, MAX_ATTEMPTS).catch(() => historyProblems(apis[1]!, run.id, MAX_ATTEMPTS))).map(
          (p) => `${run.id}: ${p}`,
        ),
      );
    }
    expect(problems).toEqual([]);
  }, 150_000);
});
