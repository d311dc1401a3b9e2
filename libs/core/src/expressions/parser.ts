import { depthOf, type ComparisonOperator, type ExpressionNode } from './ast';
import { expressionError } from './expression-error';
import { isRootName, ROOT_NAMES } from './expression-scope';
import { tokenize, type Token } from './tokenizer';
import { closestName } from '../dag/closest-name';

export const MAX_EXPRESSION_LENGTH = 2_000;
export const MAX_EXPRESSION_DEPTH = 64;

const COMPARISONS = new Set<string>(['==', '!=', '<', '<=', '>', '>=']);
const KEYWORDS = new Set(['true', 'false', 'null', 'and', 'or', 'not', 'in']);

/**
 * Parses the expression at `source.slice(from, to)` (a `{{ }}` body or a bare
 * condition). Grammar, loosest first:
 *
 *   or         := and (('||' | 'or') and)*
 *   and        := not (('&&' | 'and') not)*
 *   not        := 'not' not | comparison         -- Python/Jinja: `not a == b` is `not (a == b)`
 *   comparison := unary ((== != < <= > >= in | not in) unary)?   -- never chained
 *   unary      := ('!' | '-') unary | postfix      -- JS: `!a == b` is `(!a) == b`
 *   postfix    := primary ('.' word | '[' or ']')*
 *   primary    := number | string | true | false | null | root | '(' or ')'
 */
export function parseExpression(source: string, from: number, to: number): ExpressionNode {
  if (to - from > MAX_EXPRESSION_LENGTH) {
    throw expressionError(`expression is ${to - from} characters long, over the limit of ${MAX_EXPRESSION_LENGTH}`, source, from);
  }
  const parser = new Parser(source, tokenize(source, from, to));
  if (parser.peek().kind === 'end') throw expressionError('empty expression', source, from);
  const node = parser.parseOr();
  parser.expectEnd();
  if (depthOf(node) > MAX_EXPRESSION_DEPTH) {
    throw expressionError(`expression nests deeper than ${MAX_EXPRESSION_DEPTH} levels`, source, from);
  }
  return node;
}

class Parser {
  private position = 0;
  /** Bounds the recursion itself: `((((a))))` adds no AST depth but does add stack frames. */
  private nesting = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  peek(): Token {
    return this.tokens[this.position]!;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') throw this.unexpected(token);
  }

  parseOr(): ExpressionNode {
    this.enter();
    const first = this.parseAnd();
    const operands = [first];
    while (this.isOperator('||') || this.isWord('or')) {
      this.position++;
      operands.push(this.parseAnd());
    }
    this.nesting--;
    return operands.length === 1 ? first : { type: 'logical', operator: 'or', operands, start: first.start };
  }

  private parseAnd(): ExpressionNode {
    const first = this.parseNot();
    const operands = [first];
    while (this.isOperator('&&') || this.isWord('and')) {
      this.position++;
      operands.push(this.parseNot());
    }
    return operands.length === 1 ? first : { type: 'logical', operator: 'and', operands, start: first.start };
  }

  private parseNot(): ExpressionNode {
    if (this.isWord('not')) {
      const start = this.next().start;
      this.enter();
      const operand = this.parseNot();
      this.nesting--;
      return { type: 'not', operand, start };
    }
    return this.parseComparison();
  }

  private parseComparison(): ExpressionNode {
    const left = this.parseUnary();
    const comparison = this.readComparison();
    if (!comparison) return left;
    const right = this.parseUnary();
    const chained = this.peek();
    if (this.readComparison()) throw expressionError('comparisons cannot be chained (use and)', this.source, chained.start);
    if (comparison === 'in' || comparison === 'not in') {
      return { type: 'in', negated: comparison === 'not in', left, right, start: left.start };
    }
    return { type: 'compare', operator: comparison, left, right, start: left.start };
  }

  private readComparison(): ComparisonOperator | 'in' | 'not in' | undefined {
    const token = this.peek();
    if (token.kind === 'operator' && COMPARISONS.has(token.value)) {
      this.position++;
      return token.value as ComparisonOperator;
    }
    if (this.isWord('in')) {
      this.position++;
      return 'in';
    }
    const after = this.tokens[this.position + 1];
    if (this.isWord('not') && after?.kind === 'word' && after.value === 'in') {
      this.position += 2;
      return 'not in';
    }
    return undefined;
  }

  private parseUnary(): ExpressionNode {
    if (this.isOperator('!') || this.isOperator('-')) {
      const token = this.next();
      this.enter();
      const operand = this.parseUnary();
      this.nesting--;
      if (token.kind === 'operator' && token.value === '-' && operand.type === 'literal' && typeof operand.value === 'number') {
        return { type: 'literal', value: -operand.value, start: token.start };
      }
      return { type: token.kind === 'operator' && token.value === '!' ? 'not' : 'negate', operand, start: token.start };
    }
    return this.parsePostfix();
  }

  private parsePostfix(): ExpressionNode {
    let node = this.parsePrimary();
    for (;;) {
      const token = this.peek();
      if (token.kind !== 'punctuation') return node;
      if (token.value === '.') {
        this.position++;
        const name = this.next();
        if (name.kind !== 'word') throw expressionError('expected a property name after "."', this.source, name.start);
        node = this.member(node, name.value, name.start);
      } else if (token.value === '[') {
        this.position++;
        const index = this.parseOr();
        this.expectPunctuation(']');
        node =
          index.type === 'literal' && (typeof index.value === 'string' || typeof index.value === 'number')
            ? this.member(node, index.value, index.start)
            : { type: 'index', object: node, index, start: token.start };
      } else {
        return node;
      }
    }
  }

  private member(object: ExpressionNode, key: string | number, start: number): ExpressionNode {
    return { type: 'member', object, key, start };
  }

  private parsePrimary(): ExpressionNode {
    const token = this.next();
    switch (token.kind) {
      case 'number':
      case 'string':
        return { type: 'literal', value: token.value, start: token.start };
      case 'word':
        if (token.value === 'true' || token.value === 'false')
          return { type: 'literal', value: token.value === 'true', start: token.start };
        if (token.value === 'null') return { type: 'literal', value: null, start: token.start };
        if (KEYWORDS.has(token.value)) throw this.unexpected(token);
        if (!isRootName(token.value)) throw expressionError(unknownNameProblem(token.value), this.source, token.start);
        return { type: 'root', name: token.value, start: token.start };
      case 'punctuation':
        if (token.value === '(') {
          const inner = this.parseOr();
          this.expectPunctuation(')');
          return inner;
        }
        throw this.unexpected(token);
      default:
        throw this.unexpected(token);
    }
  }

  private enter(): void {
    if (++this.nesting > MAX_EXPRESSION_DEPTH) {
      throw expressionError(`expression nests deeper than ${MAX_EXPRESSION_DEPTH} levels`, this.source, this.peek().start);
    }
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.position++;
    return token;
  }

  private isOperator(value: string): boolean {
    const token = this.peek();
    return token.kind === 'operator' && token.value === value;
  }

  private isWord(value: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.value === value;
  }

  private expectPunctuation(value: ')' | ']'): void {
    const token = this.peek();
    if (token.kind === 'punctuation' && token.value === value) {
      this.position++;
      return;
    }
    throw token.kind === 'end' ? expressionError(`expected "${value}"`, this.source, token.start) : this.unexpected(token);
  }

  private unexpected(token: Token) {
    if (token.kind === 'end') return expressionError('unexpected end of expression', this.source, token.start);
    const text = token.kind === 'string' ? JSON.stringify(token.value) : `"${token.value}"`;
    return expressionError(`unexpected token ${text}`, this.source, token.start);
  }
}

function unknownNameProblem(name: string): string {
  const suggestion = closestName(name, ROOT_NAMES);
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : ` (use ${ROOT_NAMES.slice(0, -1).join(', ')} or ${ROOT_NAMES.at(-1)})`;
  return `unknown name "${name}"${hint}`;
}
