import { FlowctlStack } from './support/flowctl-stack';
import { aWorkflow } from './support/workflow-factory';

/** The HTTP worker protocol on BullMQ's PostgreSQL backend, as `flowctl dev` runs without Redis. */
describe('HTTP worker protocol without Redis', () => {
  let stack: FlowctlStack;

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'worker-protocol-pg', transport: 'postgres', workers: 0 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('leases, heartbeats and completes a task, and a long poll wakes for a new one', async () => {
    const yaml = aWorkflow({
      name: 'embedded',
      tasks: [
        { name: 'one', type: 'pg-http' },
        { name: 'two', type: 'pg-http', dependsOn: ['one'] },
      ],
    });
    expect((await stack.api.applyYaml(yaml)).status).toBe(200);
    const started = await stack.api.post('/workflows/embedded/runs', {});
    expect(started.status).toBe(201);
    for (const name of ['one', 'two']) {
      const polled = await stack.api.post('/worker/poll', { workerId: 'pg-worker', types: ['pg-http'], waitMs: 20_000 });
      expect(polled.status).toBe(200);
      expect(polled.body.tasks).toHaveLength(1);
      const task = polled.body.tasks[0];
      expect(task).toMatchObject({ task: name, attempt: 1 });
      expect((await stack.api.post(`/worker/tasks/${task.leaseId}/heartbeat`, { details: { at: name } })).body).toEqual({
        cancelRequested: false,
      });
      expect((await stack.api.post(`/worker/tasks/${task.leaseId}/complete`, { output: { from: name } })).status).toBe(200);
    }
    const run = await stack.waitForRun(started.body.id);
    expect(run.status).toBe('succeeded');
    expect(run.tasks.map((task: any) => task.output)).toEqual([{ from: 'one' }, { from: 'two' }]);
  });
});
