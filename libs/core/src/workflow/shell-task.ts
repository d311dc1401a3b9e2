import { renderValueKeepingSecrets, type RenderedTaskInput } from '../expressions/secret-slots';
import type { ExpressionScope } from '../expressions/expression-scope';
import { compileTemplate } from '../expressions/template';
import { commandWithEnvironment } from './shell-command';
import { keyPath } from './issue-path';
import type { IssueList } from './issue-list';

export const SHELL_TASK_TYPE = 'shell';

/**
 * A shell command is code: a value pasted into it (`echo {{ inputs.name }}`
 * with the input `"; rm -rf ~`) would run as code. So a template in `command`
 * never reaches the command line: each becomes a quoted reference to an
 * environment variable that carries its value (see commandWithEnvironment).
 * Secrets go through `with.env` only, where the worker fills them in.
 */
export function checkShellTask(withMapping: Record<string, unknown>, path: string, issues: IssueList): void {
  const command = withMapping.command;
  const commandPath = keyPath(path, 'command');
  if (command === undefined) issues.add(path, 'a shell task needs `command`');
  else if (typeof command !== 'string' || command.trim() === '') issues.add(commandPath, 'must be a non-empty string');
  else if (command.includes('{{') && readsSecrets(command)) {
    issues.add(
      commandPath,
      'a shell command cannot read secrets: pass them as environment variables, ' +
        'e.g. env: { TOKEN: "{{ secrets.API_TOKEN }}" } and "$TOKEN" (quoted) in the command',
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
 * A task's `with`, rendered for dispatch, with secrets left as placeholders and
 * slots (see SecretSlot). A shell command's templates become environment
 * variables (added after rendering, so a value is never rendered again as a template).
 */
export function renderTaskInput(type: string, withValue: Record<string, unknown>, scope: ExpressionScope): RenderedTaskInput {
  if (type !== SHELL_TASK_TYPE || typeof withValue.command !== 'string') return renderValueKeepingSecrets(withValue, scope);
  const { command, ...rest } = withValue;
  const shell = commandWithEnvironment(command, scope);
  // The slots' paths start at the keys of `rest`, which are the input's own keys.
  const rendered = renderValueKeepingSecrets(rest, scope);
  const input = rendered.input as Record<string, unknown>;
  if (Object.keys(shell.env).length === 0) return { input: { ...input, command }, secretSlots: rendered.secretSlots };
  const env = typeof input.env === 'object' && input.env !== null && !Array.isArray(input.env) ? input.env : {};
  return { input: { ...input, command: shell.command, env: { ...shell.env, ...env } }, secretSlots: rendered.secretSlots };
}

function readsSecrets(command: string): boolean {
  try {
    return compileTemplate(command).references.secrets.size > 0;
  } catch {
    return false; // a template that does not compile is reported by the template checks
  }
}
