import type { ExpressionScope } from '../expressions/expression-scope';
import { aTask, aWorkflow, issueLines } from './testing/workflow-factory';
import { renderTaskInput } from './shell-task';
import { validateWorkflow } from './validate-workflow';

const shellTask = (withValue: Record<string, unknown>) => aTask({ type: 'shell', with: withValue });
const issues = (withValue: Record<string, unknown>) =>
  issueLines(() => validateWorkflow(aWorkflow({ spec: { inputs: { name: { type: 'string' } } }, tasks: [shellTask(withValue)] })));

describe('shell tasks', () => {
  it('accepts a literal command with template values in env', () => {
    const workflow = validateWorkflow(
      aWorkflow({
        spec: { inputs: { name: { type: 'string' } } },
        tasks: [shellTask({ command: 'echo "$NAME"', env: { NAME: '{{ inputs.name }}' } })],
      }),
    );
    expect(workflow.spec.tasks[0]!.with).toEqual({ command: 'echo "$NAME"', env: { NAME: '{{ inputs.name }}' } });
  });

  it('refuses a template inside the command and points to env', () => {
    const [issue] = issues({ command: 'echo {{ inputs.name }}' });
    expect(issue).toContain('spec.tasks[0].with.command: a shell command cannot contain templates');
    expect(issue).toContain('env: { NAME: "{{ inputs.name }}" }');
  });

  it('refuses a command that is wholly a template, a missing command and bad env names', () => {
    expect(issues({ command: '{{ inputs.name }}' })[0]).toContain('cannot contain templates');
    expect(issues({})).toEqual(['spec.tasks[0].with: a shell task needs `command`']);
    expect(issues({ command: 'true', env: ['A'] })).toEqual(['spec.tasks[0].with.env: must be a mapping of variable names to values']);
    expect(issues({ command: 'true', env: { 'A=B': 'x' } })).toEqual([
      'spec.tasks[0].with.env["A=B"]: is not a valid environment variable name',
    ]);
  });

  it('renders env but passes the command verbatim, even one stored before the check', () => {
    const scope: ExpressionScope = { inputs: { name: '"; touch /tmp/pwned' }, tasks: {}, run: { id: 'r' }, workflow: { name: 'w' } };
    expect(renderTaskInput('shell', { command: 'echo {{ inputs.name }}', env: { NAME: '{{ inputs.name }}' } }, scope)).toEqual({
      command: 'echo {{ inputs.name }}',
      env: { NAME: '"; touch /tmp/pwned' },
    });
    expect(renderTaskInput('noop', { say: 'hi {{ inputs.name }}' }, scope)).toEqual({ say: 'hi "; touch /tmp/pwned' });
  });
});
