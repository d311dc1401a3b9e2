import { parseWorkflowSource } from './parse-workflow-source';
import { aTask, aWorkflow, asYaml, issueLines, issuesOf } from './testing/workflow-factory';
import { validateWorkflow } from './validate-workflow';

const withTriggers = (on: unknown, inputs: Record<string, unknown> = { order: { type: 'string' } }) => aWorkflow({ spec: { inputs, on } });
const issues = (document: unknown) => issueLines(() => validateWorkflow(document));

describe('validateWorkflow: spec.on', () => {
  it('reads each kind of trigger, with workflowRun waiting for succeeded runs by default', () => {
    const definition = validateWorkflow(
      withTriggers([
        { event: 'order.created', filter: '{{ event.data.total > 100 }}', inputs: { order: '{{ event.data.id }}' } },
        { hook: { name: 'github', secret: 'GITHUB_HOOK', signature: 'github' }, inputs: { order: 'from-hook' } },
        { workflowRun: { name: 'etl-daily' }, inputs: { order: '{{ event.data.runId }}' } },
      ]),
    );
    expect(definition.spec.on).toEqual([
      { event: 'order.created', filter: '{{ event.data.total > 100 }}', inputs: { order: '{{ event.data.id }}' } },
      { hook: { name: 'github', secret: 'GITHUB_HOOK', signature: 'github' }, inputs: { order: 'from-hook' } },
      { workflowRun: { name: 'etl-daily', status: ['succeeded'] }, inputs: { order: '{{ event.data.runId }}' } },
    ]);
  });

  it('leaves spec.on out of a workflow without triggers, so its content hash is what it was', () => {
    expect(validateWorkflow(aWorkflow()).spec).not.toHaveProperty('on');
  });

  it('refuses unknown fields, two sources in one trigger and a bad signature scheme, at their path', () => {
    expect(
      issues(
        withTriggers([
          { event: 'a', filtr: 'x', inputs: { order: 'o' } },
          { event: 'a', workflowRun: { name: 'b' }, inputs: { order: 'o' } },
          { hook: { name: 'gh', secret: 'S', signature: 'md5' }, inputs: { order: 'o' } },
        ]),
      ),
    ).toEqual([
      'spec.on[0].filtr: unknown field "filtr" (did you mean "filter"?)',
      'spec.on[1]: a trigger names exactly one of event, hook or workflowRun, not event and workflowRun',
      'spec.on[2].hook.signature: must be one of github, hmac-sha256, timestamped, not "md5"',
    ]);
  });

  it('refuses a filter or input that does not compile or reads anything but the event', () => {
    expect(
      issues(
        withTriggers([
          { event: 'a', filter: '{{ event.data.x == }}', inputs: { order: 'o' } },
          { event: 'a', filter: '{{ inputs.order }}', inputs: { order: '{{ tasks.a.output }}' } },
        ]),
      ),
    ).toEqual([
      expect.stringMatching(/^spec\.on\[0\]\.filter: unexpected end of expression/),
      'spec.on[1].filter: a trigger can only read event (event.name, event.id, event.data), not inputs',
      'spec.on[1].inputs.order: a trigger can only read event (event.name, event.id, event.data), not tasks',
    ]);
  });

  it('refuses inputs the workflow does not declare, literals of the wrong type and required inputs left unmapped', () => {
    expect(
      issues(
        withTriggers([{ event: 'a', inputs: { ordr: '{{ event.data.id }}', count: 'three' } }], {
          order: { type: 'string' },
          count: { type: 'integer', default: 1 },
        }),
      ),
    ).toEqual([
      'spec.on[0].inputs.ordr: unknown input "ordr" (did you mean "order"?)',
      'spec.on[0].inputs.count: "three" is not of type integer',
      'spec.on[0].inputs: input "order" is required (it has no default): map it from the event, e.g. order: "{{ event.data.order }}"',
    ]);
  });

  it('keeps event out of task templates: a task reads what the trigger mapped to an input', () => {
    expect(issues(aWorkflow({ tasks: [aTask({ with: { x: '{{ event.data.id }}' } })] }))).toEqual([
      "spec.tasks[0].with.x: event is only readable in spec.on (a trigger's filter and inputs): map what tasks need to an input there",
    ]);
  });

  it('names the YAML line of a trigger problem', () => {
    const source = asYaml(withTriggers([{ workflowRun: { name: 'etl', status: ['done'] }, inputs: { order: 'x' } }]));
    expect(issuesOf(() => parseWorkflowSource(source))).toEqual([
      expect.objectContaining({ path: 'spec.on[0].workflowRun.status[0]', line: expect.any(Number) }),
    ]);
  });
});
