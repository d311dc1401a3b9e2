import { renderValue } from '../expressions/render-value';
import type { ExpressionScope } from '../expressions/expression-scope';
import { keyPath } from './issue-path';
import type { IssueList } from './issue-list';

export const SHELL_TASK_TYPE = 'shell';

/**
 * A shell command is code: a value pasted into it (`echo {{ inputs.name }}`
 * with the input `"; rm -rf ~`) runs as code. So a shell task's `command` is
 * taken verbatim and template values reach it only as environment variables
 * (`with.env`), which the shell expands as data when quoted ("$NAME").
 */
export function checkShellTask(withMapping: Record<string, unknown>, path: string, issues: IssueList): void {
  const command = withMapping.command;
  const commandPath = keyPath(path, 'command');
  if (command === undefined) issues.add(path, 'a shell task needs `command`');
  else if (typeof command !== 'string' || command.trim() === '') issues.add(commandPath, 'must be a non-empty string');
  else if (command.includes('{{')) {
    issues.add(
      commandPath,
      'a shell command cannot contain templates ({{ ... }}): pass the value as an environment variable, ' +
        'e.g. env: { NAME: "{{ inputs.name }}" } and "$NAME" (quoted) in the command',
    );
  }
  const env = withMapping.env;
  if (env !== undefined && (typeof env !== 'object' || env === null || Array.isArray(env))) {
    issues.add(keyPath(path, 'env'), 'must be a mapping of variable names to values');
  } else if (env) {
    for (const name of Object.keys(env)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
        issues.add(keyPath(keyPath(path, 'env'), name), 'is not a valid environment variable name');
    }
  }
}

/**
 * A task's `with`, rendered for dispatch. A shell command passes verbatim even
 * if a definition stored before the check above holds a template.
 */
export function renderTaskInput(type: string, withValue: Record<string, unknown>, scope: ExpressionScope): unknown {
  if (type !== SHELL_TASK_TYPE || typeof withValue.command !== 'string') return renderValue(withValue, scope);
  const { command, ...rest } = withValue;
  return { ...(renderValue(rest, scope) as Record<string, unknown>), command };
}
