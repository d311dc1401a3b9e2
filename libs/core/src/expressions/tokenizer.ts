import { expressionError } from './expression-error';

export type Operator = '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||' | '!' | '-';
export type Punctuation = '.' | '[' | ']' | '(' | ')';

export type Token =
  | { kind: 'number'; value: number; start: number }
  | { kind: 'string'; value: string; start: number }
  /** Also keywords (`true`, `and`, `in`, ...): whether a word is a keyword depends on where it stands. */
  | { kind: 'word'; value: string; start: number }
  | { kind: 'operator'; value: Operator; start: number }
  | { kind: 'punctuation'; value: Punctuation; start: number }
  | { kind: 'end'; start: number };

/**
 * Words may contain inner hyphens so that DNS-label task names read naturally
 * (`tasks.load-users.output`); there is no subtraction operator for a hyphen to
 * be confused with.
 */
const WORD = /[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*/y;
const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const TWO_CHAR_OPERATORS = new Set(['==', '!=', '<=', '>=', '&&', '||']);
const ONE_CHAR_OPERATORS = new Set(['<', '>', '!', '-']);
const PUNCTUATION = new Set(['.', '[', ']', '(', ')']);
const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '/': '/',
};

/**
 * Splits `source.slice(from, to)` into tokens. Positions are offsets into the
 * whole `source`, so errors point into the template the user wrote.
 */
export function tokenize(source: string, from: number, to: number): Token[] {
  const tokens: Token[] = [];
  let at = from;
  while (at < to) {
    const char = source[at]!;
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      at++;
      continue;
    }
    const start = at;
    if (/[A-Za-z_]/.test(char)) {
      WORD.lastIndex = at;
      const word = WORD.exec(source)![0].slice(0, to - at);
      tokens.push({ kind: 'word', value: word, start });
      at += word.length;
      continue;
    }
    if (/\d/.test(char)) {
      NUMBER.lastIndex = at;
      const text = NUMBER.exec(source)![0].slice(0, to - at);
      at += text.length;
      if (at < to && /[A-Za-z_]/.test(source[at]!))
        throw expressionError(`unexpected character ${JSON.stringify(source[at])} after a number`, source, at);
      tokens.push({ kind: 'number', value: Number(text), start });
      continue;
    }
    if (char === "'" || char === '"') {
      const { value, end } = readString(source, at, to);
      tokens.push({ kind: 'string', value, start });
      at = end;
      continue;
    }
    const pair = source.slice(at, Math.min(at + 2, to));
    if (TWO_CHAR_OPERATORS.has(pair)) {
      tokens.push({ kind: 'operator', value: pair as Operator, start });
      at += 2;
      continue;
    }
    if (ONE_CHAR_OPERATORS.has(char)) {
      tokens.push({ kind: 'operator', value: char as Operator, start });
      at++;
      continue;
    }
    if (PUNCTUATION.has(char)) {
      tokens.push({ kind: 'punctuation', value: char as Punctuation, start });
      at++;
      continue;
    }
    throw expressionError(`unexpected character ${JSON.stringify(char)}${hintFor(char)}`, source, at);
  }
  tokens.push({ kind: 'end', start: to });
  return tokens;
}

function hintFor(char: string): string {
  if (char === '=') return ' (use == to compare)';
  if (char === '&') return ' (use && or and)';
  if (char === '|') return ' (use || or or)';
  if (char === '+' || char === '*' || char === '/' || char === '%') return ' (expressions have no arithmetic)';
  return '';
}

function readString(source: string, start: number, to: number): { value: string; end: number } {
  const quote = source[start];
  let value = '';
  let at = start + 1;
  while (at < to) {
    const char = source[at]!;
    if (char === quote) return { value, end: at + 1 };
    if (char !== '\\') {
      value += char;
      at++;
      continue;
    }
    const escape = source[at + 1];
    if (at + 1 >= to || escape === undefined) break;
    if (escape === 'u') {
      const hex = source.slice(at + 2, at + 6);
      if (at + 6 > to || !/^[0-9A-Fa-f]{4}$/.test(hex)) throw expressionError('invalid \\u escape (use \\uXXXX)', source, at);
      value += String.fromCharCode(parseInt(hex, 16));
      at += 6;
      continue;
    }
    const replacement = ESCAPES[escape];
    if (replacement === undefined) throw expressionError(`unknown escape "\\${escape}"`, source, at);
    value += replacement;
    at += 2;
  }
  throw expressionError('unterminated string', source, start);
}
