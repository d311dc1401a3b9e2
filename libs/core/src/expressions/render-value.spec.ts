import type { ExpressionScope } from './expression-scope';
import { collectReferences, renderValue } from './render-value';

const scope: ExpressionScope = {
  inputs: { url: 'https://x.test', retries: 3 },
  tasks: { a: { output: { id: 7 } } },
  run: { id: 'run-9' },
  workflow: { name: 'w' },
  item: { file: 'f.csv' },
  index: 2,
};

describe('renderValue', () => {
  it('renders every string in nested objects and lists, keeping whole-value types', () => {
    const value = {
      url: '{{ inputs.url }}/items/{{ tasks.a.output.id }}',
      retries: '{{ inputs.retries }}',
      headers: { 'X-Run': '{{ run.id }}' },
      files: ['{{ item.file }}', 'static', 42, true, null],
    };
    expect(renderValue(value, scope)).toEqual({
      url: 'https://x.test/items/7',
      retries: 3,
      headers: { 'X-Run': 'run-9' },
      files: ['f.csv', 'static', 42, true, null],
    });
  });

  it('returns non-template strings and other scalars as they are', () => {
    expect(renderValue('echo hi', scope)).toBe('echo hi');
    expect(renderValue(5, scope)).toBe(5);
    expect(renderValue(undefined, scope)).toBeUndefined();
  });

  it('does not change its input', () => {
    const value = { a: ['{{ index }}'] };
    renderValue(value, scope);
    expect(value).toEqual({ a: ['{{ index }}'] });
  });

  it('keeps a __proto__ key as data instead of setting a prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": "{{ run.id }}"}}') as unknown;
    const rendered = renderValue(value, scope) as Record<string, unknown>;
    expect(Object.getPrototypeOf(rendered)).toBe(Object.prototype);
    expect(Object.hasOwn(rendered, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('collectReferences', () => {
  it('merges the references of every string in a value', () => {
    const references = collectReferences({ a: '{{ tasks.x.output }}', b: ['{{ inputs.y }}', { c: 'n={{ index }}' }], d: 3 });
    expect(references).toEqual({ tasks: new Set(['x']), inputs: new Set(['y']), usesItem: true, secrets: new Set(), usesEvent: false });
  });

  it('finds nothing in plain data', () => {
    expect(collectReferences({ a: 'plain', b: [1, null] })).toEqual({
      tasks: new Set(),
      inputs: new Set(),
      usesItem: false,
      usesEvent: false,
      secrets: new Set(),
    });
  });

  it('throws for a string that does not compile', () => {
    expect(() => collectReferences({ a: ['{{ oops }}'] })).toThrow('unknown name "oops"');
  });
});
