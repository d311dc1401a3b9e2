import { InvalidInput } from '../errors/flowctl-error';
import type { InputDefinition } from '../workflow/workflow-definition';
import { matchesInputType } from '../workflow/validate-inputs';

/**
 * A run's inputs: what the caller gave, checked against the declared inputs,
 * with defaults filled in. Undeclared inputs are refused rather than ignored,
 * so a typo in `--input` is caught before anything runs.
 */
export function resolveRunInputs(declared: Record<string, InputDefinition>, given: unknown): Record<string, unknown> {
  if (given !== undefined && given !== null && (typeof given !== 'object' || Array.isArray(given))) {
    throw new InvalidInput('inputs must be an object of name: value');
  }
  const supplied = (given ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  for (const name of Object.keys(supplied)) {
    if (!Object.hasOwn(declared, name)) problems.push(`unknown input "${name}" (declared: ${Object.keys(declared).join(', ') || 'none'})`);
  }
  const resolved: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(declared)) {
    if (Object.hasOwn(supplied, name)) {
      const value = supplied[name];
      if (!matchesInputType(value, definition.type))
        problems.push(`input "${name}" must be a ${definition.type}, got ${JSON.stringify(value)}`);
      else resolved[name] = value;
    } else if (definition.default !== undefined) {
      resolved[name] = definition.default;
    } else {
      problems.push(`input "${name}" is required`);
    }
  }
  if (problems.length > 0) throw new InvalidInput(problems.join('; '), { problems });
  return resolved;
}
