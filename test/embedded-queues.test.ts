import { FlowctlStack } from './support/flowctl-stack';
import { waitFor } from './support/wait-for';
import { aWorkflow } from './support/workflow-factory';

// The integration project's testTimeout in jest.config.js is a project option jest ignores: set it here.
jest.setTimeout(60_000);

/** `flowctl dev` without Redis: the same engine with its queues on BullMQ's PostgreSQL backend. */
describe('the engine with its queues on PostgreSQL (no Redis)', () => {
  let stack: FlowctlStack;

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'embedded_queues', transport: 'postgres' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('runs without any Redis configured', () => {
    expect(stack.env.REDIS_URL).toBe('');
  });

  it('runs a diamond whose branch fails once and is retried, passing outputs downstream', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'pg-diamond',
        tasks: [
          { name: 'extract', with: { rows: 120 } },
          { name: 'clean', dependsOn: ['extract'], with: { kept: '{{ tasks.extract.output.rows }}' } },
          {
            name: 'enrich',
            type: 'fail',
            dependsOn: ['extract'],
            retry: { maxAttempts: 3, initialInterval: '100ms' },
            with: { message: 'busy', untilAttempt: 2 },
          },
          {
            name: 'join',
            dependsOn: ['clean', 'enrich'],
            with: { rows: '{{ tasks.clean.output.kept }}', enrichedOn: '{{ tasks.enrich.output.attempt }}' },
          },
        ],
      }),
    );
    const started = await stack.api.post('/workflows/pg-diamond/runs');
    expect(started.status).toBe(201);
    const run = await stack.waitForRun(started.body.id);
    expect(run.status).toBe('succeeded');
    const byName = Object.fromEntries(run.tasks.map((t: any) => [t.name, t]));
    expect(byName.enrich).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(byName.join.output).toEqual({ rows: 120, enrichedOn: 2 });
    const events = (await stack.api.get(`/runs/${run.id}/events`)).body.items;
    expect(events.filter((e: any) => e.type === 'task_retrying').map((e: any) => e.task)).toEqual(['enrich']);
  });

  it('cancels a running task: the run ends cancelled and the worker aborts the task', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'pg-cancel',
        tasks: [
          { name: 'nap', type: 'sleep', with: { duration: '10s' } },
          { name: 'after', dependsOn: ['nap'] },
        ],
      }),
    );
    const { body } = await stack.api.post('/workflows/pg-cancel/runs');
    await waitFor(
      async () => (await stack.api.get(`/runs/${body.id}`)).body.tasks.find((t: any) => t.name === 'nap').status === 'running',
      {
        timeoutMs: 10_000,
        what: 'the sleep to start',
      },
    );

    expect(await stack.api.post(`/runs/${body.id}/cancel`)).toMatchObject({ status: 200, body: { status: 'cancelled' } });
    const run = await stack.waitForRun(body.id, 3_000);
    expect(run.status).toBe('cancelled');
    expect(run.tasks.map((t: any) => [t.name, t.status])).toEqual([
      ['nap', 'cancelled'],
      ['after', 'cancelled'],
    ]);
    await waitFor(
      () =>
        stack.output
          .toString()
          .split('\n')
          .some((line) => line.includes(body.id) && line.includes('task failed: Cancelled')),
      {
        timeoutMs: 5_000,
        what: 'the worker to abort the cancelled sleep',
      },
    );
  });
});
