import { FlowctlError } from '../errors/flowctl-error';

/** A template or condition that does not compile (or is too long or too deep). */
export class ExpressionError extends FlowctlError {
  readonly code = 'ExpressionError';
}

const EXCERPT_WIDTH = 80;

/**
 * `unexpected token ")" at 5 in "a == )"`: positions are 0-based offsets into
 * the source the caller gave (the whole template, not just the `{{ }}` part),
 * so a user can count to the problem. Long sources are cut around the position.
 */
export function expressionError(problem: string, source: string, position: number): ExpressionError {
  return new ExpressionError(`${problem} at ${position} in ${quoteExcerpt(source, position)}`, { source, position });
}

function quoteExcerpt(source: string, position: number): string {
  if (source.length <= EXCERPT_WIDTH) return JSON.stringify(source);
  const start = Math.max(0, Math.min(position - EXCERPT_WIDTH / 2, source.length - EXCERPT_WIDTH));
  const end = start + EXCERPT_WIDTH;
  return `${start > 0 ? '…' : ''}${JSON.stringify(source.slice(start, end))}${end < source.length ? '…' : ''}`;
}
