import { FlowctlStack } from './support/flowctl-stack';
import { waitFor } from './support/wait-for';
import { aWorkflow } from './support/workflow-factory';

const task = (run: any, name: string) => run.tasks.find((t: any) => t.name === name);

describe('sub-workflows', () => {
  let stack: FlowctlStack;

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'subworkflows' });
    await stack.api.applyYaml(
      aWorkflow({
        name: 'child',
        spec: { inputs: { n: { type: 'integer' }, fail: { type: 'boolean', default: false }, nap: { type: 'string', default: '0ms' } } },
        tasks: [
          { name: 'double', with: { value: '{{ inputs.n }}', twice: '{{ inputs.n }}{{ inputs.n }}' } },
          {
            name: 'maybe-fail',
            type: 'fail',
            dependsOn: ['double'],
            when: '{{ inputs.fail }}',
            with: { message: 'child failed on purpose' },
          },
          { name: 'nap', type: 'sleep', dependsOn: ['double'], with: { duration: '{{ inputs.nap }}' } },
        ],
      }),
    );
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const parent = (name: string, childInputs: Record<string, unknown>) =>
    aWorkflow({
      name,
      tasks: [
        { name: 'sub', type: 'workflow', with: { name: 'child', inputs: childInputs } },
        {
          name: 'use',
          dependsOn: ['sub'],
          with: { got: '{{ tasks.sub.output.outputs.nap.sleptMs }}', child: '{{ tasks.sub.output.runId }}' },
        },
      ],
    });

  it('runs a child run and ends with it, passing the outputs of its last tasks on', async () => {
    await stack.api.applyYaml(parent('parent-ok', { n: 4 }));
    const run = await stack.waitForRun((await stack.api.post('/workflows/parent-ok/runs')).body.id);
    expect(run.status).toBe('succeeded');
    const sub = task(run, 'sub');
    expect(sub).toMatchObject({ status: 'succeeded', workerId: 'workflow' });
    const child = (await stack.api.get(`/runs/${sub.output.runId}`)).body;
    expect(child).toMatchObject({
      workflow: 'child',
      status: 'succeeded',
      parentRunId: run.id,
      parentTaskRunId: sub.id,
      inputs: { n: 4, fail: false, nap: '0ms' },
    });
    expect(sub.output.outputs).toEqual({ 'maybe-fail': null, nap: { sleptMs: expect.any(Number) } });
    expect(task(run, 'use').output.child).toBe(child.id);
  });

  it('fails the task when its child run fails', async () => {
    await stack.api.applyYaml(parent('parent-bad', { n: 1, fail: true }));
    const run = await stack.waitForRun((await stack.api.post('/workflows/parent-bad/runs')).body.id);
    expect(run.status).toBe('failed');
    expect(task(run, 'sub').error).toMatchObject({ type: 'ChildRunFailed', details: { status: 'failed' } });
    expect(task(run, 'use').status).toBe('skipped');
  });

  it('fails at once when the child workflow does not exist or refuses its inputs', async () => {
    await stack.api.applyYaml(
      aWorkflow({ name: 'parent-missing', tasks: [{ name: 'sub', type: 'workflow', with: { name: 'no-such-flow' } }] }),
    );
    const missing = await stack.waitForRun((await stack.api.post('/workflows/parent-missing/runs')).body.id);
    expect(task(missing, 'sub').error).toMatchObject({ type: 'ChildRunFailed', message: expect.stringContaining('no-such-flow') });
    await stack.api.applyYaml(parent('parent-no-input', {}));
    const refused = await stack.waitForRun((await stack.api.post('/workflows/parent-no-input/runs')).body.id);
    expect(task(refused, 'sub').error).toMatchObject({ type: 'ChildRunFailed', message: expect.stringContaining('input "n" is required') });
  });

  it('cancels the child run with its parent', async () => {
    await stack.api.applyYaml(parent('parent-long', { n: 1, nap: '30s' }));
    const { id } = (await stack.api.post('/workflows/parent-long/runs')).body;
    const sub = await waitFor(async () => {
      const current = task((await stack.api.get(`/runs/${id}`)).body, 'sub');
      return current.status === 'running' ? current : undefined;
    });
    const childId = (await stack.api.get(`/runs/${id}/events`)).body.items.find((e: any) => e.type === 'task_started' && e.task === 'sub')
      .details.childRunId;
    expect(sub.workerId).toBe('workflow');
    expect((await stack.api.post(`/runs/${id}/cancel`)).status).toBe(200);
    expect((await stack.waitForRun(childId)).status).toBe('cancelled');
    expect((await stack.waitForRun(id)).status).toBe('cancelled');
  });
});
