import { aTask, aWorkflow, issueLines } from './testing/workflow-factory';
import { validateWorkflow } from './validate-workflow';
import { WORKFLOW_LIMITS } from './workflow-limits';

const tasksOf = (...tasks: Record<string, unknown>[]) => validateWorkflow(aWorkflow({ tasks })).spec.tasks;
const issues = (...tasks: Record<string, unknown>[]) => issueLines(() => validateWorkflow(aWorkflow({ tasks })));
const chainOf = (count: number) =>
  Array.from({ length: count }, (_, i) => aTask({ name: `t${i}`, dependsOn: i === 0 ? [] : [`t${i - 1}`] }));

describe('validateWorkflow: tasks', () => {
  it('requires a non-empty list of tasks', () => {
    expect(issueLines(() => validateWorkflow(aWorkflow({ spec: { tasks: [] } })))).toEqual(['spec.tasks: must list at least one task']);
    expect(issueLines(() => validateWorkflow(aWorkflow({ spec: { tasks: undefined } })))).toEqual([
      'spec.tasks: is required: a workflow has at least one task',
    ]);
    expect(issueLines(() => validateWorkflow(aWorkflow({ spec: { tasks: { a: {} } } })))).toEqual([
      'spec.tasks: must be a list, not a mapping',
    ]);
    expect(issues('a' as unknown as Record<string, unknown>)).toEqual([
      'spec.tasks[0]: must be a mapping, not a string ("a")',
      'spec.tasks[0].name: is required',
      'spec.tasks[0].type: is required',
    ]);
  });

  it('accepts 5,000 tasks and rejects more', () => {
    expect(tasksOf(...chainOf(WORKFLOW_LIMITS.maxTasks))).toHaveLength(WORKFLOW_LIMITS.maxTasks);
    expect(issues(...chainOf(WORKFLOW_LIMITS.maxTasks + 1))).toEqual([
      `spec.tasks: has ${WORKFLOW_LIMITS.maxTasks + 1} tasks, over the limit of ${WORKFLOW_LIMITS.maxTasks}`,
    ]);
  });

  it('validates a workflow at the task limit whose every task references its upstream', () => {
    const tasks = chainOf(WORKFLOW_LIMITS.maxTasks).map((task, i) =>
      i === 0 ? task : { ...task, with: { from: `{{ tasks.t0.output.x }} {{ tasks.t${i - 1}.status }}` } },
    );
    expect(tasksOf(...tasks)).toHaveLength(WORKFLOW_LIMITS.maxTasks);
  });

  it('requires a name and a type on every task', () => {
    expect(issues({ with: {} })).toEqual(['spec.tasks[0].name: is required', 'spec.tasks[0].type: is required']);
  });

  it('checks task names like workflow names', () => {
    expect(issues(aTask({ name: 'Load_Data' }))).toEqual([
      'spec.tasks[0].name: invalid name "Load_Data": use lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
    ]);
  });

  it('allows dots and underscores in task types', () => {
    expect(tasksOf(aTask({ type: 'acme.resize_image' }))[0]!.type).toBe('acme.resize_image');
    expect(issues(aTask({ type: 'Acme:resize' }))).toEqual([
      'spec.tasks[0].type: invalid task type "Acme:resize": use lowercase letters, digits, "-", "_" and ".", starting and ending with a letter or digit, at most 63 characters',
    ]);
    expect(issues(aTask({ type: '.hidden' }))[0]).toMatch(/^spec\.tasks\[0\]\.type: invalid task type/);
  });

  it('rejects a duplicate task name, naming both positions', () => {
    expect(issues(aTask({ name: 'load' }), aTask({ name: 'x' }), aTask({ name: 'load' }))).toEqual([
      'spec.tasks[2].name: duplicate task name "load" (also at spec.tasks[0].name)',
    ]);
  });

  it('defaults with to an empty mapping and requires a mapping', () => {
    expect(tasksOf(aTask())[0]!.with).toEqual({});
    expect(issues(aTask({ with: ['a'] }))).toEqual(['spec.tasks[0].with: must be a mapping, not a list']);
  });

  describe('dependsOn', () => {
    it('keeps the dependencies in their order', () => {
      const tasks = tasksOf(aTask({ name: 'a' }), aTask({ name: 'b' }), aTask({ name: 'c', dependsOn: ['b', 'a'] }));
      expect(tasks[2]!.dependsOn).toEqual(['b', 'a']);
    });

    it('rejects an unknown dependency with a did-you-mean', () => {
      expect(issues(aTask({ name: 'extract' }), aTask({ name: 'load' }), aTask({ name: 'report', dependsOn: ['lod'] }))).toEqual([
        'spec.tasks[2].dependsOn[0]: unknown task "lod" (did you mean "load"?)',
      ]);
      expect(issues(aTask({ name: 'a', dependsOn: ['zzz'] }))).toEqual(['spec.tasks[0].dependsOn[0]: unknown task "zzz"']);
    });

    it('keeps document positions in paths after a rejected entry', () => {
      expect(issues(aTask({ name: 'a' }), aTask({ name: 'b', dependsOn: ['a', 'a', 'ghost'] }))).toEqual([
        'spec.tasks[1].dependsOn[1]: duplicate dependency "a"',
        'spec.tasks[1].dependsOn[2]: unknown task "ghost"',
      ]);
    });

    it('rejects a task depending on itself', () => {
      expect(issues(aTask({ name: 'a', dependsOn: ['a'] }))).toEqual(['spec.tasks[0].dependsOn[0]: task "a" cannot depend on itself']);
    });

    it('does not call a dependency unknown when the task it names has an invalid name', () => {
      expect(issues(aTask({ name: 'Bad' }), aTask({ name: 'b', dependsOn: ['Bad'] }))).toHaveLength(1);
    });

    it('requires a list of strings', () => {
      expect(issues(aTask({ name: 'a' }), aTask({ name: 'b', dependsOn: 'a' }))).toEqual([
        'spec.tasks[1].dependsOn: must be a list, not a string ("a")',
      ]);
      expect(issues(aTask({ name: 'a', dependsOn: [1] }))).toEqual(['spec.tasks[0].dependsOn[0]: must be a string, not a number (1)']);
    });

    it('rejects a cycle, showing the cycle', () => {
      expect(
        issues(aTask({ name: 'a', dependsOn: ['c'] }), aTask({ name: 'b', dependsOn: ['a'] }), aTask({ name: 'c', dependsOn: ['b'] })),
      ).toEqual(['spec.tasks[0].dependsOn: dependency cycle a -> b -> c -> a']);
    });
  });

  it('defaults trigger to all_success and accepts every trigger rule', () => {
    expect(tasksOf(aTask())[0]!.trigger).toBe('all_success');
    for (const trigger of ['all_success', 'all_done', 'one_success', 'one_failed', 'none_failed']) {
      expect(tasksOf(aTask({ trigger }))[0]!.trigger).toBe(trigger);
    }
    expect(issues(aTask({ trigger: 'all_sucess' }))).toEqual([
      'spec.tasks[0].trigger: must be one of all_success, all_done, one_success, one_failed, none_failed, not "all_sucess" (did you mean "all_success"?)',
    ]);
  });

  it('defaults priority to 3 and accepts integers 1 to 5 only', () => {
    expect(tasksOf(aTask())[0]!.priority).toBe(3);
    expect(tasksOf(aTask({ priority: 1 }))[0]!.priority).toBe(1);
    for (const priority of [0, 6, 2.5, 'high']) {
      expect(issues(aTask({ priority }))).toEqual([
        `spec.tasks[0].priority: must be an integer from 1 to 5, not ${JSON.stringify(priority)}`,
      ]);
    }
  });

  it('reads timeouts as milliseconds', () => {
    const [task] = tasksOf(aTask({ timeout: '30s', scheduleToStartTimeout: '5m', heartbeatTimeout: 10_000 }));
    expect(task).toMatchObject({ timeout: 30_000, scheduleToStartTimeout: 300_000, heartbeatTimeout: 10_000 });
  });

  it('rejects a bad duration, saying which spellings work', () => {
    expect(issues(aTask({ name: 'a' }), aTask({ name: 'b', timeout: '5 minutes' }))).toEqual([
      'spec.tasks[1].timeout: invalid duration "5 minutes" (use 500ms, 10s, 5m, 1h, 1d or milliseconds)',
    ]);
    expect(issues(aTask({ heartbeatTimeout: -1, scheduleToStartTimeout: '0s', timeout: '400d' }))).toEqual([
      'spec.tasks[0].timeout: duration "400d" must be more than 0 and at most 365d',
      'spec.tasks[0].scheduleToStartTimeout: duration "0s" must be more than 0 and at most 365d',
      'spec.tasks[0].heartbeatTimeout: invalid duration -1 (use 500ms, 10s, 5m, 1h, 1d or milliseconds)',
    ]);
  });

  it('takes timeouts and priority from spec.defaults unless the task overrides them', () => {
    const defaults = { timeout: '5m', heartbeatTimeout: '30s', scheduleToStartTimeout: '1h', priority: 2 };
    const [inherits, overrides] = validateWorkflow(
      aWorkflow({ spec: { defaults }, tasks: [aTask({ name: 'a' }), aTask({ name: 'b', timeout: '10s', priority: 5 })] }),
    ).spec.tasks;
    expect(inherits).toMatchObject({ timeout: 300_000, heartbeatTimeout: 30_000, scheduleToStartTimeout: 3_600_000, priority: 2 });
    expect(overrides).toMatchObject({ timeout: 10_000, heartbeatTimeout: 30_000, priority: 5 });
  });

  it('checks spec.defaults fields', () => {
    expect(issueLines(() => validateWorkflow(aWorkflow({ spec: { defaults: { timeout: 'x', priority: 9 } } })))).toEqual([
      'spec.defaults.timeout: invalid duration "x" (use 500ms, 10s, 5m, 1h, 1d or milliseconds)',
      'spec.defaults.priority: must be an integer from 1 to 5, not 9',
    ]);
  });

  it('requires when and forEach to be strings, with a hint for an unquoted template', () => {
    expect(issues(aTask({ when: { '{ tasks.a.output }': null } }), aTask({ name: 'b', forEach: ['x'] }))).toEqual([
      'spec.tasks[0].when: must be a string, not a mapping (quote templates in YAML: "{{ ... }}")',
      'spec.tasks[1].forEach: must be a string, not a list',
    ]);
  });

  it('keeps when and forEach as written', () => {
    const inputs = { go: { type: 'boolean' }, files: { type: 'array' } };
    const [task] = validateWorkflow(
      aWorkflow({ spec: { inputs }, tasks: [aTask({ when: '{{ inputs.go }}', forEach: 'inputs.files', with: { f: '{{ item }}' } })] }),
    ).spec.tasks;
    expect(task).toMatchObject({ when: '{{ inputs.go }}', forEach: 'inputs.files' });
  });
});
