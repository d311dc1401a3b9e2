import { aTask, aWorkflow, issueLines, type Fields } from './testing/workflow-factory';
import { validateWorkflow } from './validate-workflow';

const inputs = { date: { type: 'string' }, files: { type: 'array', default: [] } };
const issues = (...tasks: Fields[]) => issueLines(() => validateWorkflow(aWorkflow({ spec: { inputs }, tasks })));
const accepts = (...tasks: Fields[]) => expect(() => validateWorkflow(aWorkflow({ spec: { inputs }, tasks }))).not.toThrow();

const extract = aTask({ name: 'extract' });
const transform = aTask({ name: 'transform', dependsOn: ['extract'] });

describe('validateWorkflow: templates', () => {
  it('accepts references to direct and transitive upstream tasks, inputs, the run and the workflow', () => {
    accepts(
      extract,
      transform,
      aTask({
        name: 'load',
        dependsOn: ['transform'],
        with: {
          a: '{{ tasks.transform.output.rows }}',
          b: ['{{ tasks.extract.status }}'],
          c: { d: '{{ inputs.date }}-{{ run.id }}-{{ workflow.name }}' },
        },
        when: "{{ tasks.extract.output.ok and inputs.date != '' }}",
      }),
    );
  });

  it('rejects a reference to a task that is not upstream, naming both', () => {
    expect(
      issues(
        extract,
        transform,
        aTask({ name: 'report' }),
        aTask({ name: 'load', dependsOn: ['transform'], with: { url: '{{ tasks.report.output.url }}' } }),
      ),
    ).toEqual(['spec.tasks[3].with.url: task "load" references tasks.report, which is not upstream of it']);
  });

  it('rejects a reference to a downstream task and to the task itself', () => {
    expect(
      issues(aTask({ name: 'extract', with: { x: '{{ tasks.transform.output }}', y: '{{ tasks.extract.status }}' } }), transform),
    ).toEqual([
      'spec.tasks[0].with.x: task "extract" references tasks.transform, which is not upstream of it',
      'spec.tasks[0].with.y: task "extract" references tasks.extract, which is not upstream of it',
    ]);
  });

  it('rejects a reference to a task that does not exist, with a did-you-mean', () => {
    expect(issues(extract, aTask({ name: 'load', dependsOn: ['extract'], when: 'tasks.extrakt.status == "succeeded"' }))).toEqual([
      'spec.tasks[1].when: unknown task "extrakt" in tasks.extrakt (did you mean "extract"?)',
    ]);
  });

  it('requires inputs to be declared', () => {
    expect(issues(aTask({ with: { d: '{{ inputs.dates }}', e: '{{ inputs.region }}' } }))).toEqual([
      'spec.tasks[0].with.d: unknown input "dates" (did you mean "date"?)',
      'spec.tasks[0].with.e: unknown input "region" (declare it in spec.inputs)',
    ]);
  });

  it('reports a template that does not compile at its path', () => {
    expect(issues(aTask({ with: { headers: { 'Content-Type': '{{ inputs.date == }}' } } }))).toEqual([
      'spec.tasks[0].with.headers.Content-Type: unexpected end of expression at 18 in "{{ inputs.date == }}"',
    ]);
    expect(issues(aTask({ with: { list: ['ok', '{{ nope }}'] } }))).toEqual([
      'spec.tasks[0].with.list[1]: unknown name "nope" (use inputs, tasks, run, workflow, item, index, event or secrets) at 3 in "{{ nope }}"',
    ]);
  });

  it('reports a when that is not one expression', () => {
    expect(issues(aTask({ when: '{{ inputs.date }} == today' }))[0]).toMatch(/^spec\.tasks\[0\]\.when: a condition must be one expression/);
  });

  it('allows item and index in with of a forEach task only', () => {
    accepts(aTask({ forEach: '{{ inputs.files }}', with: { file: '{{ item }}', position: '{{ index }}' } }));
    expect(issues(aTask({ with: { file: '{{ item.path }}' } }))).toEqual([
      'spec.tasks[0].with.file: item and index are only available in a task with forEach',
    ]);
  });

  it('rejects item and index in forEach and when, which are decided before the instances exist', () => {
    expect(issues(aTask({ forEach: '{{ item }}', when: 'index == 0', with: { x: '{{ item }}' } }))).toEqual([
      'spec.tasks[0].when: when cannot use item or index: it decides once for all the instances of the task',
      'spec.tasks[0].forEach: forEach cannot use item or index: it is what produces them',
    ]);
  });

  it('checks forEach references like any other template', () => {
    expect(issues(extract, aTask({ name: 'each', forEach: 'tasks.extract.output.rows' }))).toEqual([
      'spec.tasks[1].forEach: task "each" references tasks.extract, which is not upstream of it',
    ]);
    accepts(extract, aTask({ name: 'each', dependsOn: ['extract'], forEach: 'tasks.extract.output.rows', with: { row: '{{ item }}' } }));
  });

  it('still checks compile errors and inputs when the graph has a cycle', () => {
    expect(
      issues(
        aTask({ name: 'a', dependsOn: ['b'], with: { x: '{{ inputs.nope }}' } }),
        aTask({ name: 'b', dependsOn: ['a'], with: { y: '{{ tasks.a.output }}' } }),
      ),
    ).toEqual([
      'spec.tasks[0].dependsOn: dependency cycle a -> b -> a',
      'spec.tasks[0].with.x: unknown input "nope" (declare it in spec.inputs)',
    ]);
  });

  it('leaves keys of with alone and plain strings as they are', () => {
    const [task] = validateWorkflow(aWorkflow({ tasks: [aTask({ with: { '{{ key }}': 'echo }} {', n: 1 } })] })).spec.tasks;
    expect(task!.with).toEqual({ '{{ key }}': 'echo }} {', n: 1 });
  });
});

describe('validateWorkflow: secrets', () => {
  it('accepts a secret alone in a with value, inside text too', () => {
    accepts(aTask({ name: 'call', with: { token: '{{ secrets.API_TOKEN }}', header: "Bearer {{ secrets['API_TOKEN'] }}" } }));
  });

  it('rejects a secret used in an expression, in when and in forEach', () => {
    expect(
      issues(
        aTask({ name: 'a', with: { x: "{{ secrets.A == 'x' }}" } }),
        aTask({ name: 'b', when: '{{ secrets.A }}' }),
        aTask({ name: 'c', forEach: '{{ secrets.A }}', with: { i: '{{ item }}' } }),
        aTask({ name: 'd', with: { x: '{{ secrets.A.length }}' } }),
      ),
    ).toEqual([
      expect.stringMatching(/^spec\.tasks\[0\]\.with\.x: a secret can only be used alone, as \{\{ secrets\.A \}\}/),
      "spec.tasks[1].when: when cannot read secrets: only a task's with can (the scheduler never sees their values)",
      "spec.tasks[2].forEach: forEach cannot read secrets: only a task's with can (the scheduler never sees their values)",
      expect.stringMatching(/^spec\.tasks\[3\]\.with\.x: a secret can only be used alone/),
    ]);
  });

  it('rejects secrets in steps the scheduler carries out and names that cannot be set', () => {
    expect(
      issues(
        aTask({ name: 'child', type: 'workflow', with: { name: 'other', inputs: { t: '{{ secrets.A }}' } } }),
        aTask({ name: 'b', with: { x: "{{ secrets['no-dash'] }}" } }),
      ),
    ).toEqual([
      'spec.tasks[0].with.inputs.t: a workflow task cannot read secrets: only tasks that run on a worker can',
      'spec.tasks[1].with.x: invalid secret name "no-dash": use letters, digits and "_", not starting with a digit, at most 128 characters',
    ]);
  });
});
