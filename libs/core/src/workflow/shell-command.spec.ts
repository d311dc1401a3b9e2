import { execFileSync } from 'node:child_process';
import type { ExpressionScope } from '../expressions/expression-scope';
import { commandWithEnvironment } from './shell-command';

const scope = (inputs: Record<string, unknown>): ExpressionScope => ({
  inputs,
  tasks: {},
  run: { id: 'r1' },
  workflow: { name: 'w', namespace: 'default' },
});

/** Runs the rewritten command in a real /bin/sh and returns what it printed. */
function run(command: string, inputs: Record<string, unknown>): string {
  const rewritten = commandWithEnvironment(command, scope(inputs));
  return execFileSync('/bin/sh', ['-c', rewritten.command], { env: { PATH: process.env.PATH, ...rewritten.env }, encoding: 'utf8' });
}

describe('commandWithEnvironment', () => {
  it('leaves a command without templates alone', () => {
    expect(commandWithEnvironment('echo hi', scope({}))).toEqual({ command: 'echo hi', env: {} });
  });

  it('replaces each template by a quoted variable, one variable per distinct expression', () => {
    expect(commandWithEnvironment('cp {{ inputs.a }} {{ inputs.b }}.bak && rm {{ inputs.a }}', scope({ a: 'x y', b: 'z' }))).toEqual({
      command: 'cp "${FLOWCTL_ARG_1}" "${FLOWCTL_ARG_2}".bak && rm "${FLOWCTL_ARG_1}"',
      env: { FLOWCTL_ARG_1: 'x y', FLOWCTL_ARG_2: 'z' },
    });
  });

  it.each([
    ['bare', 'echo {{ inputs.v }}'],
    ['inside double quotes', 'echo "value: {{ inputs.v }}!"'],
    ['inside single quotes', "echo 'value: {{ inputs.v }}!'"],
  ])('passes hostile values through as data when %s', (_, command) => {
    for (const value of ['; touch /tmp/flowctl-pwned', '$(id)', '`id`', 'it\'s "quoted"', 'a\nb', '*']) {
      const printed = run(command, { v: value });
      expect(printed).toContain(value);
      expect(printed).not.toMatch(/uid=/);
    }
  });

  it('renders objects as JSON and null as nothing, as in any other string', () => {
    expect(run('echo {{ inputs.o }}/{{ inputs.n }}/', { o: { k: 1 }, n: null })).toBe('{"k":1}//\n');
  });
});
