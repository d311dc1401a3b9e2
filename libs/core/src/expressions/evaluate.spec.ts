import { evaluateExpression } from './condition';
import type { ExpressionScope } from './expression-scope';

const aScope = (partial: Partial<ExpressionScope> = {}): ExpressionScope => ({
  inputs: { n: 5, s: 'abc', list: [1, 'two', { three: 3 }], obj: { k: 'v', nested: { deep: true } }, nothing: null },
  tasks: { extract: { output: { status: 200, rows: [{ id: 1 }, { id: 2 }] }, status: 'succeeded' }, skipped: { status: 'skipped' } },
  run: { id: 'run-1' },
  workflow: { name: 'etl', namespace: 'default' },
  ...partial,
});
const value = (expression: string, scope = aScope()) => evaluateExpression(expression, scope);

describe('expression evaluation', () => {
  it('reads members, indices and string keys', () => {
    expect(value('inputs.n')).toBe(5);
    expect(value('inputs.list[1]')).toBe('two');
    expect(value('inputs.list[2].three')).toBe(3);
    expect(value("inputs.obj['k']")).toBe('v');
    expect(value('inputs.obj.nested.deep')).toBe(true);
    expect(value('tasks.extract.output.rows[1].id')).toBe(2);
    expect(value('tasks.extract.status')).toBe('succeeded');
    expect(value('run.id')).toBe('run-1');
    expect(value('workflow.name')).toBe('etl');
  });

  it('indexes with a computed key', () => {
    expect(value('inputs.list[index]', aScope({ index: 0 }))).toBe(1);
    expect(value('inputs.obj[item]', aScope({ item: 'k' }))).toBe('v');
    expect(value('inputs.obj[inputs.list]')).toBeUndefined();
  });

  it('gives undefined for a missing property, an index past the end or a read through null', () => {
    expect(value('inputs.missing')).toBeUndefined();
    expect(value('inputs.missing.deeper.still')).toBeUndefined();
    expect(value('inputs.nothing.x')).toBeUndefined();
    expect(value('inputs.list[9]')).toBeUndefined();
    expect(value('inputs.list[-1]')).toBeUndefined();
    expect(value('inputs.list[0.5]')).toBeUndefined();
    expect(value('tasks.skipped.output.x')).toBeUndefined();
    expect(value('tasks.unknown.output')).toBeUndefined();
    expect(value('item')).toBeUndefined();
  });

  it('reads length of lists and strings, and characters of strings', () => {
    expect(value('inputs.list.length')).toBe(3);
    expect(value('inputs.s.length')).toBe(3);
    expect(value('inputs.s[1]')).toBe('b');
  });

  it('reads only own properties, never the prototype chain', () => {
    expect(value('inputs.obj.toString')).toBeUndefined();
    expect(value('inputs.obj.hasOwnProperty')).toBeUndefined();
    expect(value('inputs.list.map')).toBeUndefined();
    expect(value('inputs.obj[inputs.key]', aScope({ inputs: { obj: {}, key: '__proto__' } }))).toBeUndefined();
    expect(value('inputs.obj[inputs.key]', aScope({ inputs: { obj: {}, key: 'constructor' } }))).toBeUndefined();
  });

  it('ignores even an own __proto__ key that JSON data may carry', () => {
    const obj = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
    expect(value('inputs.obj[inputs.key]', aScope({ inputs: { obj, key: '__proto__' } }))).toBeUndefined();
    expect(value("'__proto__' in inputs.obj", aScope({ inputs: { obj } }))).toBe(false);
  });

  it('compares strictly, without coercion', () => {
    expect(value("1 == '1'")).toBe(false);
    expect(value('0 == false')).toBe(false);
    expect(value("'' == false")).toBe(false);
    expect(value('null == false')).toBe(false);
    expect(value('inputs.n == 5')).toBe(true);
    expect(value('inputs.n != 5')).toBe(false);
    expect(value("inputs.s == 'abc'")).toBe(true);
  });

  it('treats a missing value as equal to null', () => {
    expect(value('inputs.missing == null')).toBe(true);
    expect(value('inputs.nothing == null')).toBe(true);
    expect(value('inputs.n == null')).toBe(false);
  });

  it('compares lists and objects by structure', () => {
    expect(value('tasks.extract.output.rows[0] == inputs.expected', aScope({ inputs: { expected: { id: 1 } } }))).toBe(true);
    expect(value('inputs.a == inputs.b', aScope({ inputs: { a: [1, [2]], b: [1, [2]] } }))).toBe(true);
    expect(value('inputs.a == inputs.b', aScope({ inputs: { a: [1, 2], b: [2, 1] } }))).toBe(false);
    expect(value('inputs.a == inputs.b', aScope({ inputs: { a: { x: 1 }, b: { x: 1, y: 2 } } }))).toBe(false);
    expect(value('inputs.a == inputs.b', aScope({ inputs: { a: [], b: {} } }))).toBe(false);
  });

  it('orders only two numbers or two strings, and is false otherwise', () => {
    expect(value('inputs.n > 4')).toBe(true);
    expect(value('inputs.n >= 5')).toBe(true);
    expect(value('inputs.n < 5')).toBe(false);
    expect(value('inputs.n <= 5')).toBe(true);
    expect(value("'apple' < 'banana'")).toBe(true);
    expect(value("inputs.n > '4'")).toBe(false);
    expect(value("inputs.n < '9'")).toBe(false);
    expect(value('inputs.missing < 1')).toBe(false);
    expect(value('inputs.missing >= 0')).toBe(false);
    expect(value('null <= null')).toBe(false);
  });

  it('finds elements, substrings and own keys with in and not in', () => {
    expect(value("'two' in inputs.list")).toBe(true);
    expect(value('2 in inputs.list')).toBe(false);
    expect(value('inputs.expected in inputs.list', aScope({ inputs: { list: [{ a: 1 }], expected: { a: 1 } } }))).toBe(true);
    expect(value("'bc' in inputs.s")).toBe(true);
    expect(value('1 in inputs.s')).toBe(false);
    expect(value("'k' in inputs.obj")).toBe(true);
    expect(value("'toString' in inputs.obj")).toBe(false);
    expect(value("'x' in inputs.missing")).toBe(false);
    expect(value("'x' not in inputs.list")).toBe(true);
    expect(value("'two' not in inputs.list")).toBe(false);
  });

  it('short-circuits and/or and yields the deciding operand, so or gives defaults', () => {
    expect(value("inputs.missing or 'fallback'")).toBe('fallback');
    expect(value("inputs.s || 'fallback'")).toBe('abc');
    expect(value('inputs.n and inputs.s')).toBe('abc');
    expect(value('inputs.nothing && inputs.n')).toBeNull();
    expect(value('true && false || true')).toBe(true);
    expect(value('false or false')).toBe(false);
  });

  it('negates with ! and not, following JS and Python precedence respectively', () => {
    expect(value('!true')).toBe(false);
    expect(value('not inputs.missing')).toBe(true);
    expect(value('!inputs.n == false')).toBe(true); // (!5) == false
    expect(value('not inputs.n == 4')).toBe(true); // not (5 == 4)
    expect(value('not not true')).toBe(true);
    expect(value('not true and false')).toBe(false);
  });

  it('negates numbers with unary minus and gives undefined for anything else', () => {
    expect(value('-inputs.n')).toBe(-5);
    expect(value('- -inputs.n')).toBe(5);
    expect(value('-inputs.s')).toBeUndefined();
    expect(value('inputs.n > -1')).toBe(true);
  });

  it('honours parentheses over precedence', () => {
    expect(value('false and (false or true)')).toBe(false);
    expect(value('(false and false) or true')).toBe(true);
    expect(value('false and false or true')).toBe(true);
  });

  it('reads the current forEach item and index', () => {
    expect(value('item.name', aScope({ item: { name: 'x' }, index: 3 }))).toBe('x');
    expect(value('index == 3', aScope({ index: 3 }))).toBe(true);
  });
});
