import type { ManagedProcess } from '../../apps/flowctl/src/dev/child-process';
import { freePort } from '../../apps/flowctl/src/dev/embedded-database';
import { TestApi } from '../support/api-client';
import { FlowctlStack } from '../support/flowctl-stack';
import { OwnRedis } from '../support/own-redis';
import { historyProblems } from '../support/run-history';
import { aWorkflow } from '../support/workflow-factory';

/** A task is hit by a kill in roughly a quarter of its attempts here; ten make a dead task vanishingly unlikely. */
const MAX_ATTEMPTS = 10;
const RUNS = 200;
const CHAOS_MS = 60_000;
const DRAIN_MS = 90_000;
/** Runs start one every this often from the start of the chaos. */
const START_EVERY_MS = 100;
/** Each run is a chain of STEPS 3 s sleeps (at least 24 s): runs start through the first half of the chaos and overlap, up to all 200 at once. */
const STEPS = 8;
const WORKER_ENV = { FLOWCTL_WORKER_HEARTBEAT_INTERVAL: '500ms', WORKER_CONCURRENCY: '100' };
const SCHEDULER_ENV = { FLOWCTL_WORKER_LOST_AFTER: '3s', FLOWCTL_RECONCILE_INTERVAL: '2s' };

const isAlive = (managed: ManagedProcess) => managed.child.exitCode === null && managed.child.signalCode === null;
const TERMINAL = ['succeeded', 'failed', 'cancelled', 'timed_out'];

describe('chaos: two schedulers and three workers killed at random for 60 s under 200 concurrent runs', () => {
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
      schedulerEnv: SCHEDULER_ENV,
      workerEnv: WORKER_ENV,
    });
    const first = stack.processesNamed('scheduler')[0]!;
    schedulers.set(first, stack.env.PORT!);
    apis.push(stack.api);
    const port = String(await freePort());
    schedulers.set(await stack.startScheduler({ ...SCHEDULER_ENV, PORT: port }), port);
    apis.push(new TestApi(`http://127.0.0.1:${port}`));
  });

  afterAll(async () => {
    await stack?.stop();
    await redis?.kill();
  });

  it('completes every run, within its attempts, with a consistent history', async () => {
    const step = (i: number) => `s${String(i).padStart(2, '0')}`;
    await stack.api.applyYaml(
      aWorkflow({
        name: 'chain',
        spec: { defaults: { retry: { maxAttempts: MAX_ATTEMPTS, initialInterval: '200ms' } } },
        tasks: [
          ...Array.from({ length: STEPS }, (_, i) => ({
            name: step(i),
            type: 'sleep',
            ...(i > 0 ? { dependsOn: [step(i - 1)] } : {}),
            with: { duration: '3s' },
          })),
          { name: 'done', dependsOn: [step(STEPS - 1)] },
        ],
      }),
    );
    // Runs start through the first part of the chaos, one every START_EVERY_MS, each with a key of its own
    // so a POST retried on the other scheduler starts it once.
    const ids: string[] = [];
    const creating = (async () => {
      for (let i = 0; i < RUNS; i++) {
        ids.push((await ask(`/workflows/chain/runs`, { idempotencyKey: `chaos-${i}` })).id);
        await new Promise((resolve) => setTimeout(resolve, START_EVERY_MS));
      }
    })();

    const kills: string[] = [];
    const chaosEnd = Date.now() + CHAOS_MS;
    while (Date.now() < chaosEnd) {
      await new Promise((resolve) => setTimeout(resolve, 1_500 + Math.random() * 1_500));
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
        schedulers.set(await stack.startScheduler({ ...SCHEDULER_ENV, PORT: port }), port);
      }
    }
    const chaosOverAt = Date.now();
    await creating;

    // One deadline for them all: a run hit by kills late in the chaos still has steps to go.
    const drainDeadline = chaosOverAt + DRAIN_MS;
    const finished = new Map<string, any>();
    let pending: any[] = [];
    while (finished.size < ids.length && Date.now() < drainDeadline) {
      pending = [];
      for (const id of ids.filter((id) => !finished.has(id))) {
        const run = await ask(`/runs/${id}`);
        if (TERMINAL.includes(run.status)) finished.set(id, run);
        else pending.push(run);
      }
      if (finished.size < ids.length) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // What the stragglers wait on, to tell a stuck run from a slow machine.
    const stuck = pending.slice(0, 5).map((run) => ({
      id: run.id,
      status: run.status,
      tasks: run.tasks.filter((t: any) => t.status !== 'succeeded').map((t: any) => `${t.name}:${t.status}#${t.attempt}@${t.workerId}`),
    }));
    if (stuck.length > 0) {
      const workers = ((await ask('/workers')).items as any[]).map((w) => `${w.id} ${w.status} running=${w.running}`);
      console.log(
        `workers: ${workers.join('; ')}\n--- server output ---\n${String(stack.output)
          .split('\n')
          .filter((line) => !line.includes('task failed'))
          .slice(-80)
          .join('\n')}`,
      );
    }
    expect({ unfinished: ids.length - finished.size, stuck }).toEqual({ unfinished: 0, stuck: [] });
    const runs = ids.map((id) => finished.get(id));
    // The most runs in flight at one moment, from their own start and finish times.
    const edges = runs.flatMap((run) => [
      [Date.parse(run.createdAt), 1],
      [Date.parse(run.finishedAt), -1],
    ]);
    let inFlight = 0;
    let peak = 0;
    for (const [, change] of edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!)) peak = Math.max(peak, (inFlight += change!));
    console.log(
      `up to ${peak} of ${RUNS} runs in flight at once; ${kills.length} kills -9 in ${CHAOS_MS} ms (${kills.filter((k) => k === 'scheduler').length} schedulers); all runs done ${Date.now() - chaosOverAt} ms after the chaos ended`,
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
  }, 175_000);
});
