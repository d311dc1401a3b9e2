import type { ExpressionNode } from './ast';
import { BoundedCache } from './bounded-cache';
import { evaluate } from './evaluate';
import { expressionError } from './expression-error';
import type { ExpressionScope } from './expression-scope';
import { parseExpression } from './parser';
import { analyzeReferences } from './reference-analysis';
import { addReferences, copyReferences, noReferences, type References } from './references';

export interface CompiledTemplate {
  /** Whether the source has any `{{ }}`; a plain string renders as itself. */
  readonly isTemplate: boolean;
  /** A fresh copy on every read, so callers cannot corrupt the cached template. */
  readonly references: References;
  render(scope: ExpressionScope): unknown;
}

export const TEMPLATE_CACHE_SIZE = 5_000;

type Segment = { text: string } | { expression: ExpressionNode };

const cache = new BoundedCache<CompiledTemplate>(TEMPLATE_CACHE_SIZE);

/**
 * Compiles `"text {{ expr }} text"`. A source that is exactly one `{{ expr }}`
 * (whitespace around allowed) renders to the expression's value with its type;
 * otherwise every `{{ }}` is rendered into the text.
 */
export function compileTemplate(source: string): CompiledTemplate {
  if (!source.includes('{{')) return new PlainText(source);
  const cached = cache.get(source);
  if (cached) return cached;
  const compiled = compileSegments(source);
  cache.set(source, compiled);
  return compiled;
}

/** The expression of a template that is exactly one `{{ expr }}`, if it is one. */
export function singleExpressionOf(source: string): ExpressionNode | undefined {
  const compiled = compileTemplate(source);
  return compiled instanceof SingleExpression ? compiled.expression : undefined;
}

function compileSegments(source: string): CompiledTemplate {
  const segments: Segment[] = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    if (open === -1) {
      segments.push({ text: source.slice(at) });
      break;
    }
    if (open > at) segments.push({ text: source.slice(at, open) });
    const close = findClose(source, open + 2);
    segments.push({ expression: parseExpression(source, open + 2, close) });
    at = close + 2;
  }
  const references = noReferences();
  for (const segment of segments) {
    if ('expression' in segment) addReferences(references, analyzeReferences(segment.expression, source));
  }
  const expressions = segments.filter((segment) => 'expression' in segment);
  const onlyWhitespaceAround = segments.every((segment) => 'expression' in segment || segment.text.trim() === '');
  if (expressions.length === 1 && onlyWhitespaceAround) return new SingleExpression(expressions[0]!.expression, references);
  return new Interpolation(segments, references);
}

/** The literal text and the `{{ expr }}` sources of a template, in order (what compileTemplate splits it into). */
export function templatePieces(source: string): ({ text: string } | { template: string })[] {
  const pieces: ({ text: string } | { template: string })[] = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    if (open === -1) {
      pieces.push({ text: source.slice(at) });
      break;
    }
    if (open > at) pieces.push({ text: source.slice(at, open) });
    const close = findClose(source, open + 2);
    pieces.push({ template: source.slice(open, close + 2) });
    at = close + 2;
  }
  return pieces;
}

/** The `}}` closing the expression opened before `from`; a `}}` inside a quoted string does not close it. */
function findClose(source: string, from: number): number {
  let quote: string | undefined;
  for (let at = from; at < source.length; at++) {
    const char = source[at];
    if (quote) {
      if (char === '\\') at++;
      else if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '}' && source[at + 1] === '}') {
      return at;
    }
  }
  throw expressionError('unclosed "{{"', source, from - 2);
}

/** How a value reads inside a longer string: text as is, objects as JSON, nothing for null. */
export function renderAsText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

class PlainText implements CompiledTemplate {
  readonly isTemplate = false;
  constructor(private readonly source: string) {}
  get references(): References {
    return noReferences();
  }
  render(): unknown {
    return this.source;
  }
}

class SingleExpression implements CompiledTemplate {
  readonly isTemplate = true;
  constructor(
    readonly expression: ExpressionNode,
    private readonly collected: References,
  ) {}
  get references(): References {
    return copyReferences(this.collected);
  }
  /** A missing value renders as null: rendered values are stored as JSON, where undefined would silently drop the key. */
  render(scope: ExpressionScope): unknown {
    return evaluate(this.expression, scope) ?? null;
  }
}

class Interpolation implements CompiledTemplate {
  readonly isTemplate = true;
  constructor(
    private readonly segments: Segment[],
    private readonly collected: References,
  ) {}
  get references(): References {
    return copyReferences(this.collected);
  }
  render(scope: ExpressionScope): string {
    let text = '';
    for (const segment of this.segments) text += 'text' in segment ? segment.text : renderAsText(evaluate(segment.expression, scope));
    return text;
  }
}
