import { load } from 'js-yaml';
import { InvalidInput, messageOf } from './errors';

export type ReadTextFile = (path: string) => string;

/**
 * A `--input` value: JSON when it parses as JSON (`3`, `true`, `{"a":1}`, `"quoted"`),
 * else the text as given, so `--input date=2026-01-01` stays a string.
 */
export function parseInputValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `key=value`, or `key=@path` to take the value from a file (read the same way as an inline value). */
export function parseInputAssignment(assignment: string, readFile: ReadTextFile): [string, unknown] {
  const equals = assignment.indexOf('=');
  if (equals <= 0) throw new InvalidInput(`--input "${assignment}": expected KEY=VALUE (or KEY=@FILE)`);
  const key = assignment.slice(0, equals).trim();
  const value = assignment.slice(equals + 1);
  if (key === '') throw new InvalidInput(`--input "${assignment}": the key is empty`);
  if (!value.startsWith('@')) return [key, parseInputValue(value)];

  const path = value.slice(1);
  if (path === '') throw new InvalidInput(`--input "${assignment}": no file after "@"`);
  let content: string;
  try {
    content = readFile(path);
  } catch (error) {
    throw new InvalidInput(`--input ${key}=@${path}: cannot read ${path}: ${reasonOf(error)}`);
  }
  return [key, parseInputValue(content)];
}

/** The contents of `--inputs-file`: a JSON or YAML mapping of input names to values. */
export function parseInputsDocument(text: string, source: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = text.trim() === '' ? {} : load(text);
  } catch (error) {
    throw new InvalidInput(`${source}: not valid JSON or YAML: ${reasonOf(error)}`);
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new InvalidInput(`${source}: expected a mapping of input names to values`);
  }
  return document as Record<string, unknown>;
}

/** `--inputs-file` first, then each `--input` in order, later ones winning. */
export function collectInputs(
  options: { inputsFile?: string; assignments: readonly string[] },
  readFile: ReadTextFile,
): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  if (options.inputsFile !== undefined) {
    let text: string;
    try {
      text = readFile(options.inputsFile);
    } catch (error) {
      throw new InvalidInput(`--inputs-file: cannot read ${options.inputsFile}: ${reasonOf(error)}`);
    }
    Object.assign(inputs, parseInputsDocument(text, options.inputsFile));
  }
  for (const assignment of options.assignments) {
    const [key, value] = parseInputAssignment(assignment, readFile);
    inputs[key] = value;
  }
  return inputs;
}

function reasonOf(error: unknown): string {
  const message = messageOf(error);
  return message.split('\n')[0] ?? message;
}
