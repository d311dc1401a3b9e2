import { FlowctlStack } from './support/flowctl-stack';
import { waitFor } from './support/wait-for';
import { aWorkflow } from './support/workflow-factory';

const eventTypes = async (stack: FlowctlStack, runId: string) =>
  (await stack.api.get(`/runs/${runId}/events`)).body.items as { type: string; task: string | null; details: any }[];

describe('timeouts', () => {
  let stack: FlowctlStack;

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'timeouts' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('fails an attempt that runs past its start-to-close timeout as Timeout and retries it', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'slow',
        tasks: [
          { name: 'nap', type: 'sleep', timeout: '300ms', retry: { maxAttempts: 2, initialInterval: '100ms' }, with: { duration: '5s' } },
        ],
      }),
    );
    const { body: started } = await stack.api.post('/workflows/slow/runs');
    const run = await stack.waitForRun(started.id, 20_000);
    expect(run.status).toBe('failed');
    const nap = run.tasks.find((t: any) => t.name === 'nap');
    expect(nap).toMatchObject({ status: 'dead', attempt: 2, error: { type: 'Timeout' } });
    const failures = (await eventTypes(stack, started.id)).filter((e) => e.type === 'task_failed');
    expect(failures.map((e) => e.details.error.type)).toEqual(['Timeout', 'Timeout']);
  });

  it('fails a task nobody starts within its scheduleToStartTimeout', async () => {
    await stack.api.applyYaml(
      aWorkflow({ name: 'unserved', tasks: [{ name: 'orphan', type: 'no-such-worker', scheduleToStartTimeout: '500ms' }] }),
    );
    const { body: started } = await stack.api.post('/workflows/unserved/runs');
    const run = await stack.waitForRun(started.id, 15_000);
    expect(run.tasks[0]).toMatchObject({ status: 'dead', error: { type: 'Timeout', details: { timeout: 'scheduleToStart' } } });
  });

  it('ends a run past spec.timeout as timed_out and cancels its running tasks', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'too-long',
        spec: { timeout: '700ms' },
        tasks: [
          { name: 'nap', type: 'sleep', with: { duration: '20s' } },
          { name: 'after', dependsOn: ['nap'] },
        ],
      }),
    );
    const { body: started } = await stack.api.post('/workflows/too-long/runs');
    const run = await stack.waitForRun(started.id, 15_000);
    expect(run.status).toBe('timed_out');
    expect(run.tasks.map((t: any) => [t.name, t.status])).toEqual([
      ['nap', 'cancelled'],
      ['after', 'cancelled'],
    ]);
    expect((await eventTypes(stack, started.id)).at(-1)?.type).toBe('run_timed_out');
  });

  it('fails a running task whose worker dies once its heartbeats stop, keeping its last heartbeat details', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'silent',
        tasks: [{ name: 'nap', type: 'sleep', heartbeatTimeout: '1s', retry: { maxAttempts: 1 }, with: { duration: '30s' } }],
      }),
    );
    const { body: started } = await stack.api.post('/workflows/silent/runs');
    const running = await waitFor(
      async () => {
        const task = (await stack.api.get(`/runs/${started.id}`)).body.tasks[0];
        return task.status === 'running' && task.heartbeatDetails ? task : undefined;
      },
      { what: 'task to run and heartbeat' },
    );
    // Worker ids are host-pid-suffix: kill the very process running the task, without warning.
    const pid = Number(String(running.workerId).split('-').at(-2));
    process.kill(pid, 'SIGKILL');
    stack.startWorker();
    const run = await stack.waitForRun(started.id, 15_000);
    expect(run.tasks[0]).toMatchObject({ status: 'dead', error: { type: 'Timeout', details: { timeout: 'heartbeat' } } });
    expect(run.tasks[0].heartbeatDetails.sleptMs).toBeGreaterThan(0);
  });

  it('fails an approval step nobody decides within its timeout, without retrying it', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'unanswered',
        tasks: [
          { name: 'sign-off', type: 'approval', timeout: '400ms', retry: { maxAttempts: 3 } },
          { name: 'ship', dependsOn: ['sign-off'] },
        ],
      }),
    );
    const run = await stack.waitForRun((await stack.api.post('/workflows/unanswered/runs')).body.id, 15_000);
    expect(run.status).toBe('failed');
    expect(run.tasks.map((t: any) => [t.name, t.status, t.attempt])).toEqual([
      ['sign-off', 'failed', 1],
      ['ship', 'skipped', 0],
    ]);
    expect(run.tasks[0].error).toMatchObject({ type: 'Timeout', nonRetryable: true });
  });

  it('keeps a heartbeating task alive past its heartbeatTimeout', async () => {
    await stack.api.applyYaml(
      aWorkflow({ name: 'beating', tasks: [{ name: 'nap', type: 'sleep', heartbeatTimeout: '600ms', with: { duration: '2s' } }] }),
    );
    const { body: started } = await stack.api.post('/workflows/beating/runs');
    const run = await stack.waitForRun(started.id, 15_000);
    expect(run.status).toBe('succeeded');
    expect(run.tasks[0].attempt).toBe(1);
  });
});
