import { randomBytes } from 'node:crypto';
import { HttpTaskRunner, NonRetryableError, type TaskContext } from '@flowctl/worker-sdk';
import { FlowctlStack } from './support/flowctl-stack';
import { waitFor } from './support/wait-for';
import { aWorkflow } from './support/workflow-factory';

const ADMIN_TOKEN = `admin-${randomBytes(16).toString('hex')}`;

/** The TypeScript SDK's HTTP mode running a workflow end to end against a real scheduler, with a worker token. */
describe('HttpTaskRunner', () => {
  let stack: FlowctlStack;
  let runner: HttpTaskRunner | undefined;
  const cancelled: { reason?: string; task?: string } = {};
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'http-runner', workers: 0, schedulerEnv: { FLOWCTL_ADMIN_TOKEN: ADMIN_TOKEN } });
    const created = await stack.api.post('/tokens', { role: 'worker', name: 'ts-worker' });
    expect(created.status).toBe(201);
    runner = new HttpTaskRunner({
      server: stack.url,
      token: created.body.token,
      concurrency: 4,
      workerId: 'ts-http-worker',
      pollWaitMs: 2_000,
      logger: quiet,
      handlers: {
        'ts-square': async (input: { n: number }, ctx: TaskContext) => {
          ctx.heartbeat({ squaring: input.n });
          ctx.logger.info(`squaring ${input.n}`);
          return { value: input.n * input.n, attempt: ctx.attempt };
        },
        'ts-resume': async (input: { from: number }, ctx: TaskContext) => {
          if (ctx.attempt === 1) {
            ctx.heartbeat({ done: input.from + 2 });
            throw new Error('dropped connection');
          }
          return { resumedFrom: ctx.lastHeartbeatDetails, attempt: ctx.attempt, key: ctx.idempotencyKey };
        },
        'ts-refuse': () => {
          throw new NonRetryableError('will never work', { why: 'bad input' });
        },
        'ts-wait': (_input: unknown, ctx: TaskContext) =>
          new Promise((_resolve, reject) => {
            ctx.heartbeat();
            ctx.signal.addEventListener('abort', () => {
              cancelled.reason = (ctx.signal.reason as Error).name;
              cancelled.task = ctx.taskName;
              reject(ctx.signal.reason);
            });
          }),
      },
    });
    runner.start();
  });
  afterAll(async () => {
    await runner?.stop(1_000);
    await stack?.stop();
  });

  const start = async (name: string, tasks: Record<string, unknown>[]) => {
    expect((await stack.api.applyYaml(aWorkflow({ name, tasks: tasks as never }))).status).toBe(200);
    const started = await stack.api.post(`/workflows/${name}/runs`, {});
    expect(started.status).toBe(201);
    return started.body.id as string;
  };

  it('runs a workflow: outputs flow on, and a retried attempt resumes from its heartbeat details', async () => {
    const runId = await start('ts-chain', [
      { name: 'square', type: 'ts-square', with: { n: 12 } },
      {
        name: 'resume',
        type: 'ts-resume',
        dependsOn: ['square'],
        retry: { maxAttempts: 2, initialInterval: '100ms' },
        with: { from: '{{ tasks.square.output.value }}' },
      },
    ]);
    const run = await stack.waitForRun(runId, 30_000);
    expect(run.status).toBe('succeeded');
    const byName = Object.fromEntries(run.tasks.map((task: any) => [task.name, task]));
    expect(byName.square).toMatchObject({ status: 'succeeded', output: { value: 144, attempt: 1 }, workerId: 'ts-http-worker' });
    expect(byName.resume).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      output: { resumedFrom: { done: 146 }, attempt: 2, key: `${runId}:resume` },
    });
    const workers = (await stack.api.get('/workers')).body.items;
    expect(workers.find((worker: any) => worker.id === 'ts-http-worker')).toMatchObject({
      types: ['ts-square', 'ts-resume', 'ts-refuse', 'ts-wait'],
      concurrency: 4,
      status: 'active',
    });
  });

  it('fails a task for good on NonRetryableError', async () => {
    const runId = await start('ts-refused', [{ name: 'refuse', type: 'ts-refuse', retry: { maxAttempts: 3 } }]);
    const run = await stack.waitForRun(runId, 20_000);
    expect(run.tasks[0]).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: { type: 'NonRetryableError', message: 'will never work', nonRetryable: true },
    });
  });

  it('fires the signal of a running handler when its run is cancelled', async () => {
    const runId = await start('ts-cancel', [{ name: 'wait', type: 'ts-wait', heartbeatTimeout: '900ms' }]);
    await waitFor(async () => (await stack.api.get(`/runs/${runId}`)).body.tasks[0].status === 'running', {
      timeoutMs: 15_000,
      what: 'the handler to start',
    });
    expect((await stack.api.post(`/runs/${runId}/cancel`, {})).status).toBeLessThan(300);
    await waitFor(async () => cancelled.task === 'wait', { timeoutMs: 10_000, what: 'the handler to see its signal fire' });
    expect(['Cancelled', 'LeaseEnded']).toContain(cancelled.reason);
    expect((await stack.waitForRun(runId)).status).toBe('cancelled');
  });
});
