import type { ExpressionScope } from './expression-scope';
import { addReferences, noReferences, type References } from './references';
import { compileTemplate } from './template';

/**
 * Renders every string inside `value` (objects and lists are walked; keys are
 * left alone). Returns new objects and lists; the input is not changed.
 */
export function renderValue(value: unknown, scope: ExpressionScope): unknown {
  if (typeof value === 'string') return compileTemplate(value).render(scope);
  if (Array.isArray(value)) return value.map((item) => renderValue(item, scope));
  if (isPlainObject(value)) {
    // fromEntries defines own properties, so a `__proto__` key stays data instead of setting a prototype.
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderValue(item, scope)]));
  }
  return value;
}

/** Everything the strings inside `value` read. Throws ExpressionError for the first string that does not compile. */
export function collectReferences(value: unknown): References {
  const references = noReferences();
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current === 'string') addReferences(references, compileTemplate(current).references);
    else if (Array.isArray(current)) pending.push(...current);
    else if (isPlainObject(current)) pending.push(...Object.values(current));
  }
  return references;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
