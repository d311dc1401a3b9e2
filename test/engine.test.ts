import { FlowctlStack } from './support/flowctl-stack';
import { aWorkflow } from './support/workflow-factory';

describe('the engine, end to end on Redis', () => {
  let stack: FlowctlStack;

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'engine' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('runs a diamond and passes outputs downstream with their types', async () => {
    const applied = await stack.api.applyYaml(
      aWorkflow({
        name: 'diamond',
        spec: { inputs: { n: { type: 'integer', default: 2 } } },
        tasks: [
          { name: 'a', with: { n: '{{ inputs.n }}', label: 'n is {{ inputs.n }}' } },
          { name: 'b', dependsOn: ['a'], with: { fromA: '{{ tasks.a.output.n }}' } },
          { name: 'c', dependsOn: ['a'], with: { label: '{{ tasks.a.output.label }}' } },
          { name: 'd', dependsOn: ['b', 'c'], with: { b: '{{ tasks.b.output }}', c: '{{ tasks.c.output.label }}' } },
        ],
      }),
    );
    expect(applied.status).toBe(200);
    const started = await stack.api.post('/workflows/diamond/runs', { inputs: { n: 5 } });
    expect(started.status).toBe(201);
    const run = await stack.waitForRun(started.body.id);
    expect(run.status).toBe('succeeded');
    const d = run.tasks.find((t: any) => t.name === 'd');
    expect(d.output).toEqual({ b: { fromA: 5 }, c: 'n is 5' });
  });
});
