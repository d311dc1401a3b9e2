import { FlowctlStack } from './support/flowctl-stack';
import { aWorkflow } from './support/workflow-factory';

const time = (value: string) => new Date(value).getTime();

describe('limits and priorities', () => {
  let stack: FlowctlStack;

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'limits', schedulerEnv: { FLOWCTL_TYPE_CONCURRENCY: 'sleep:1' } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('holds runs over spec.concurrency as pending and starts them in order as slots free up', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'one-at-a-time',
        spec: { concurrency: 1 },
        tasks: [
          { name: 'work', type: 'noop' },
          { name: 'wait', type: 'fail', dependsOn: ['work'], with: { untilAttempt: 1 } },
        ],
      }),
    );
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await stack.api.post('/workflows/one-at-a-time/runs')).body.id);
    const created = await Promise.all(ids.map(async (id) => (await stack.api.get(`/runs/${id}`)).body.status));
    expect(created.slice(1).every((status) => status === 'pending' || status === 'running' || status === 'succeeded')).toBe(true);
    const runs = await Promise.all(ids.map((id) => stack.waitForRun(id)));
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    for (let i = 1; i < runs.length; i++) {
      expect(time(runs[i].startedAt)).toBeGreaterThanOrEqual(time(runs[i - 1].finishedAt));
    }
    const waited = (await stack.api.get(`/runs/${ids[2]}/events`)).body.items.map((e: any) => e.type);
    expect(waited.slice(0, 3)).toEqual(['run_created', 'run_waiting', 'run_started']);
  });

  it('runs at most FLOWCTL_TYPE_CONCURRENCY tasks of a type at once across workers, highest priority first', async () => {
    const lows = Array.from({ length: 4 }, (_, i) => ({
      name: `low-${i}`,
      type: 'sleep',
      priority: 5,
      dependsOn: ['gate'],
      with: { duration: '150ms' },
    }));
    await stack.api.applyYaml(
      aWorkflow({
        name: 'prioritised',
        tasks: [
          { name: 'gate', type: 'noop' },
          ...lows,
          { name: 'urgent', type: 'sleep', priority: 1, dependsOn: ['gate'], with: { duration: '150ms' } },
        ],
      }),
    );
    const run = await stack.waitForRun((await stack.api.post('/workflows/prioritised/runs')).body.id);
    expect(run.status).toBe('succeeded');
    const sleeps = run.tasks.filter((t: any) => t.type === 'sleep').sort((a: any, b: any) => time(a.startedAt) - time(b.startedAt));
    for (let i = 1; i < sleeps.length; i++) {
      expect(time(sleeps[i].startedAt)).toBeGreaterThanOrEqual(time(sleeps[i - 1].finishedAt) - 50);
    }
    expect(sleeps[0].name).toBe('urgent');
  });

  it('cancels a pending run without starting it', async () => {
    await stack.api.applyYaml(
      aWorkflow({ name: 'queue-of-one', spec: { concurrency: 1 }, tasks: [{ name: 'nap', type: 'sleep', with: { duration: '1s' } }] }),
    );
    const first = (await stack.api.post('/workflows/queue-of-one/runs')).body.id;
    const second = (await stack.api.post('/workflows/queue-of-one/runs')).body;
    expect(second.status).toBe('pending');
    expect((await stack.api.post(`/runs/${second.id}/cancel`)).status).toBe(200);
    const cancelled = await stack.waitForRun(second.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.startedAt).toBeNull();
    expect((await stack.waitForRun(first)).status).toBe('succeeded');
  });
});
