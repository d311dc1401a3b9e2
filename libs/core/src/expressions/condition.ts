import type { ExpressionNode } from './ast';
import { BoundedCache } from './bounded-cache';
import { evaluate } from './evaluate';
import { ExpressionError } from './expression-error';
import type { ExpressionScope } from './expression-scope';
import { parseExpression } from './parser';
import { analyzeReferences } from './reference-analysis';
import { copyReferences, type References } from './references';
import { singleExpressionOf, TEMPLATE_CACHE_SIZE } from './template';

interface CompiledExpression {
  node: ExpressionNode;
  references: References;
}

const cache = new BoundedCache<CompiledExpression>(TEMPLATE_CACHE_SIZE);

/**
 * A `when` or `forEach` source is one expression, written either as
 * `"{{ expr }}"` or bare (`"tasks.a.output.ok"`). Text around the braces is
 * rejected: `"{{ a }} == 1"` would render to a non-empty string and so always
 * be true, which is never what its author meant.
 */
function compileExpression(source: string): CompiledExpression {
  const cached = cache.get(source);
  if (cached) return cached;
  let node: ExpressionNode;
  if (source.includes('{{')) {
    const single = singleExpressionOf(source);
    if (!single)
      throw new ExpressionError(`a condition must be one expression, written "{{ expr }}" or bare, in ${JSON.stringify(source)}`, {
        source,
      });
    node = single;
  } else {
    node = parseExpression(source, 0, source.length);
  }
  const compiled = { node, references: analyzeReferences(node, source) };
  cache.set(source, compiled);
  return compiled;
}

/** The value of a one-expression source (a `forEach` list, for instance), with its type. */
export function evaluateExpression(source: string, scope: ExpressionScope): unknown {
  return evaluate(compileExpression(source).node, scope);
}

/** A `when`: JS truthiness of its value, so a missing output is false. */
export function evaluateCondition(source: string, scope: ExpressionScope): boolean {
  return Boolean(evaluateExpression(source, scope));
}

export function expressionReferences(source: string): References {
  return copyReferences(compileExpression(source).references);
}

export const conditionReferences = expressionReferences;
