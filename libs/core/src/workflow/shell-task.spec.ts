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

  it('accepts templates in the command (they become environment variables) but not secrets there', () => {
    expect(() =>
      validateWorkflow(
        aWorkflow({ spec: { inputs: { name: { type: 'string' } } }, tasks: [shellTask({ command: 'echo {{ inputs.name }}' })] }),
      ),
    ).not.toThrow();
    const [issue] = issues({ command: 'curl -H "Authorization: {{ secrets.TOKEN }}" x' });
    expect(issue).toContain('spec.tasks[0].with.command: a shell command cannot read secrets');
    expect(issue).toContain('env: { TOKEN: "{{ secrets.API_TOKEN }}" }');
  });

  it('refuses a missing command and bad env names', () => {
    expect(issues({})).toEqual(['spec.tasks[0].with: a shell task needs `command`']);
    expect(issues({ command: 'true', env: ['A'] })).toEqual(['spec.tasks[0].with.env: must be a mapping of variable names to values']);
    expect(issues({ command: 'true', env: { 'A=B': 'x' } })).toEqual([
      'spec.tasks[0].with.env["A=B"]: is not a valid environment variable name',
    ]);
  });

  it('renders env and turns templates in the command into quoted variables, never pasting a value', () => {
    const scope: ExpressionScope = {
      inputs: { name: '"; touch /tmp/pwned {{ inputs.name }}' },
      tasks: {},
      run: { id: 'r' },
      workflow: { name: 'w' },
    };
    expect(renderTaskInput('shell', { command: 'echo {{ inputs.name }}', env: { NAME: '{{ inputs.name }}' } }, scope).input).toEqual({
      command: 'echo "${FLOWCTL_ARG_1}"',
      env: { FLOWCTL_ARG_1: '"; touch /tmp/pwned {{ inputs.name }}', NAME: '"; touch /tmp/pwned {{ inputs.name }}' },
    });
    expect(renderTaskInput('noop', { say: 'hi {{ inputs.name }}' }, scope).input).toEqual({
      say: 'hi "; touch /tmp/pwned {{ inputs.name }}',
    });
  });

  it('keeps a secret in env as a placeholder with its slot', () => {
    const scope: ExpressionScope = { inputs: {}, tasks: {}, run: { id: 'r' }, workflow: { name: 'w' } };
    expect(renderTaskInput('shell', { command: 'curl -H "$AUTH"', env: { AUTH: 'Bearer {{ secrets.T }}' } }, scope)).toEqual({
      input: { command: 'curl -H "$AUTH"', env: { AUTH: 'Bearer [secret:T]' } },
      secretSlots: [{ path: ['env', 'AUTH'], parts: ['Bearer ', { secret: 'T' }] }],
    });
  });
});
