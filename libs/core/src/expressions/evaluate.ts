import type { ExpressionNode } from './ast';
import type { ExpressionScope } from './expression-scope';
import { isForbiddenProperty } from './forbidden-properties';

/**
 * Evaluation never throws on data: a missing property, an index into null or a
 * comparison of mismatched types gives undefined or false, because templates
 * read task outputs whose shape the workflow author does not control.
 */
export function evaluate(node: ExpressionNode, scope: ExpressionScope): unknown {
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'root':
      return scope[node.name];
    case 'member':
      return readProperty(evaluate(node.object, scope), node.key);
    case 'index': {
      const key = evaluate(node.index, scope);
      return typeof key === 'string' || typeof key === 'number' ? readProperty(evaluate(node.object, scope), key) : undefined;
    }
    case 'not':
      return !evaluate(node.operand, scope);
    case 'negate': {
      const value = evaluate(node.operand, scope);
      return typeof value === 'number' ? -value : undefined;
    }
    case 'logical': {
      // JS semantics (the deciding operand, not a boolean), so `inputs.x or 'default'` gives a default.
      let value: unknown;
      for (const operand of node.operands) {
        value = evaluate(operand, scope);
        if (node.operator === 'and' ? !value : value) return value;
      }
      return value;
    }
    case 'compare':
      return compare(node.operator, evaluate(node.left, scope), evaluate(node.right, scope));
    case 'in': {
      const found = contains(evaluate(node.right, scope), evaluate(node.left, scope));
      return node.negated ? !found : found;
    }
  }
}

export function readProperty(target: unknown, key: string | number): unknown {
  if (isForbiddenProperty(key)) return undefined;
  if (Array.isArray(target) || typeof target === 'string') {
    if (key === 'length') return target.length;
    return typeof key === 'number' && Number.isInteger(key) && key >= 0 && key < target.length ? target[key] : undefined;
  }
  if (typeof target !== 'object' || target === null) return undefined;
  const name = String(key);
  return Object.hasOwn(target, name) ? (target as Record<string, unknown>)[name] : undefined;
}

function compare(operator: '==' | '!=' | '<' | '<=' | '>' | '>=', left: unknown, right: unknown): boolean {
  switch (operator) {
    case '==':
      return isEqual(left, right);
    case '!=':
      return !isEqual(left, right);
  }
  const comparable = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
  if (!comparable) return false;
  const [a, b] = [left as number | string, right as number | string];
  switch (operator) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

/**
 * Strict (no coercion, `1 == '1'` is false) but structural, so a list or an
 * object output can be compared with a literal. A missing value equals null,
 * since the language has no `undefined` to test for.
 */
export function isEqual(left: unknown, right: unknown): boolean {
  const a = left === undefined ? null : left;
  const b = right === undefined ? null : right;
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => isEqual(item, b[i]));
  }
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  return (
    aKeys.length === bKeys.length &&
    aKeys.every((key) => Object.hasOwn(b, key) && isEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
  );
}

/** `in`: an element of a list, a substring of a string, or an own key of an object. */
function contains(container: unknown, needle: unknown): boolean {
  if (Array.isArray(container)) return container.some((item) => isEqual(item, needle));
  if (typeof container === 'string') return typeof needle === 'string' && container.includes(needle);
  if (typeof container === 'object' && container !== null) {
    return typeof needle === 'string' && !isForbiddenProperty(needle) && Object.hasOwn(container, needle);
  }
  return false;
}
