import { ExpressionError } from './expression-error';
import { compileTemplate } from './template';
import { evaluateExpression } from './condition';
import type { ExpressionScope } from './expression-scope';

const scope: ExpressionScope = { inputs: {}, tasks: {}, run: { id: 'r1' }, workflow: { name: 'etl' } };
const value = (expression: string) => evaluateExpression(expression, scope);
const compileError = (source: string): string => {
  try {
    compileTemplate(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return (error as ExpressionError).message;
  }
  throw new Error(`expected ${source} not to compile`);
};

describe('expression parser', () => {
  it('reads number, string, boolean and null literals', () => {
    expect(value('42')).toBe(42);
    expect(value('1.5e3')).toBe(1500);
    expect(value('-2.5')).toBe(-2.5);
    expect(value("'single'")).toBe('single');
    expect(value('"double"')).toBe('double');
    expect(value('true')).toBe(true);
    expect(value('false')).toBe(false);
    expect(value('null')).toBeNull();
  });

  it('decodes escapes in strings', () => {
    expect(value(String.raw`'it\'s'`)).toBe("it's");
    expect(value(String.raw`"a\"b\\c\nd\t\u0041"`)).toBe('a"b\\c\nd\tA');
  });

  it('gives the position and the source in a syntax error', () => {
    expect(compileError('{{ a == ) }}')).toBe(
      'unknown name "a" (use inputs, tasks, run, workflow, item, index, event or secrets) at 3 in "{{ a == ) }}"',
    );
    expect(compileError('{{ inputs.a == ) }}')).toBe('unexpected token ")" at 15 in "{{ inputs.a == ) }}"');
  });

  it('rejects unterminated strings, unknown escapes and stray characters', () => {
    expect(compileError("{{ 'abc }}")).toMatch(/unclosed "\{\{"|unterminated string/);
    expect(compileError(String.raw`{{ 'a\q' }}`)).toContain('unknown escape "\\q"');
    expect(compileError('{{ inputs.a = 1 }}')).toContain('unexpected character "=" (use == to compare)');
    expect(compileError('{{ inputs.a + 1 }}')).toContain('expressions have no arithmetic');
    expect(compileError('{{ inputs.a & inputs.b }}')).toContain('(use && or and)');
    expect(compileError('{{ 1abc }}')).toContain('after a number');
  });

  it('rejects empty expressions, unclosed braces and trailing tokens', () => {
    expect(compileError('{{ }}')).toBe('empty expression at 2 in "{{ }}"');
    expect(compileError('x {{ inputs.a')).toBe('unclosed "{{" at 2 in "x {{ inputs.a"');
    expect(compileError('{{ inputs.a inputs.b }}')).toContain('unexpected token "inputs"');
    expect(compileError('{{ (inputs.a }}')).toContain('expected ")"');
    expect(compileError('{{ inputs[0 }}')).toContain('expected "]"');
    expect(compileError('{{ inputs. }}')).toContain('expected a property name after "."');
  });

  it('rejects root names other than inputs, tasks, run, workflow, item and index, with a hint', () => {
    expect(compileError('{{ input.x }}')).toContain('unknown name "input" (did you mean "inputs"?)');
    expect(compileError('{{ process.env }}')).toContain('unknown name "process"');
    expect(compileError('{{ this }}')).toContain('unknown name "this"');
  });

  it('allows only tasks.NAME.output and tasks.NAME.status', () => {
    expect(() => compileTemplate('{{ tasks.a.output.x }}')).not.toThrow();
    expect(() => compileTemplate("{{ tasks['load-users'].status }}")).not.toThrow();
    expect(compileError('{{ tasks }}')).toContain('expected a task name after "tasks"');
    expect(compileError('{{ tasks[inputs.name].output }}')).toContain('expected a task name after "tasks"');
    expect(compileError('{{ tasks.a }}')).toContain('expected .output or .status after "tasks.a"');
    expect(compileError('{{ tasks.a.input }}')).toContain('expected .output or .status after "tasks.a"');
  });

  it('reads hyphenated task names after a dot', () => {
    const compiled = compileTemplate('{{ tasks.load-users.output.count }}');
    expect([...compiled.references.tasks]).toEqual(['load-users']);
  });

  it('never compiles a read of __proto__, constructor or prototype', () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      expect(compileError(`{{ inputs.${name} }}`)).toContain(`property "${name}" is not accessible`);
      expect(compileError(`{{ inputs.x['${name}'] }}`)).toContain(`property "${name}" is not accessible`);
    }
  });

  it('rejects chained comparisons', () => {
    expect(compileError('{{ 1 < 2 < 3 }}')).toContain('comparisons cannot be chained');
  });

  it('has no function calls or assignment', () => {
    expect(compileError('{{ inputs.f() }}')).toContain('unexpected token "("');
    expect(compileError('{{ inputs.a == 1; inputs.b }}')).toContain('unexpected character ";"');
  });

  it('rejects an expression longer than 2,000 characters', () => {
    const long = `{{ ${'1 == 1 and '.repeat(200)}true }}`;
    expect(compileError(long)).toMatch(/^expression is \d+ characters long, over the limit of 2000 at 2 in /);
  });

  it('rejects nesting deeper than 64 levels, however written', () => {
    expect(compileError(`{{ ${'('.repeat(70)}1${')'.repeat(70)} }}`)).toContain('nests deeper than 64 levels');
    expect(compileError(`{{ ${'!'.repeat(70)}true }}`)).toContain('nests deeper than 64 levels');
    expect(compileError(`{{ inputs${'.a'.repeat(70)} }}`)).toContain('nests deeper than 64 levels');
    expect(value(`${'('.repeat(30)}1${')'.repeat(30)}`)).toBe(1);
  });

  it('keeps a long chain of and/or shallow', () => {
    expect(value(Array(100).fill('true').join(' and '))).toBe(true);
  });

  it('cuts a long source in messages around the error position', () => {
    const message = compileError(`${'x'.repeat(300)} {{ inputs.a == ) }}`);
    expect(message).toContain('unexpected token ")" at 316 in …"');
    expect(message.length).toBeLessThan(200);
  });
});
