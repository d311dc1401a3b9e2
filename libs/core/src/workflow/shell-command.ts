import type { ExpressionScope } from '../expressions/expression-scope';
import { compileTemplate, renderAsText, templatePieces } from '../expressions/template';

type Quoting = 'none' | 'single' | 'double';

/** What a `{{ }}` becomes in each quoting context: always one word, expanded by the shell as data. */
const REFERENCE: Record<Quoting, (name: string) => string> = {
  none: (name) => `"\${${name}}"`,
  double: (name) => `\${${name}}`,
  single: (name) => `'"\${${name}}"'`,
};

/**
 * A shell command is code, so a template value is never pasted into it: each
 * `{{ expr }}` becomes a reference to an environment variable that holds the
 * value (`echo {{ inputs.name }}` runs as `echo "${FLOWCTL_ARG_1}"`), quoted
 * for where it stands in the command, so the shell expands it as one word of
 * data whatever it contains (`; rm -rf ~`, `$(...)`, quotes, newlines).
 */
export function commandWithEnvironment(command: string, scope: ExpressionScope): { command: string; env: Record<string, string> } {
  if (!command.includes('{{')) return { command, env: {} };
  const env: Record<string, string> = {};
  const names = new Map<string, string>();
  let quoting: Quoting = 'none';
  let out = '';
  for (const piece of templatePieces(command)) {
    if ('text' in piece) {
      out += piece.text;
      quoting = quotingAfter(piece.text, quoting);
      continue;
    }
    let name = names.get(piece.template);
    if (!name) {
      name = `FLOWCTL_ARG_${names.size + 1}`;
      names.set(piece.template, name);
      env[name] = renderAsText(compileTemplate(piece.template).render(scope));
    }
    out += REFERENCE[quoting](name);
  }
  return { command: out, env };
}

/** POSIX sh quoting: where a piece of literal text leaves the command (a backslash escapes outside single quotes). */
function quotingAfter(text: string, from: Quoting): Quoting {
  let quoting = from;
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (quoting === 'single') {
      if (char === "'") quoting = 'none';
    } else if (char === '\\') {
      at++;
    } else if (quoting === 'double') {
      if (char === '"') quoting = 'none';
    } else if (char === "'") {
      quoting = 'single';
    } else if (char === '"') {
      quoting = 'double';
    }
  }
  return quoting;
}
