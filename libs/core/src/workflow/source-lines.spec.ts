import { parseEvents } from 'js-yaml';
import { lineLocator, sourceLines } from './source-lines';

const locate = (source: string) => sourceLines(source, parseEvents(source, {}));

describe('sourceLines', () => {
  const source = [
    'apiVersion: flowctl/v1', // 1
    'metadata:', // 2
    '  name: etl', // 3
    'spec:', // 4
    '  tasks:', // 5
    '    - name: a', // 6
    '      with: { url: "x", "odd key": 1, list: [1, 2] }', // 7
    '    -', // 8
    '      name: b', // 9
    '      dependsOn:', // 10
    '        - a', // 11
    '      when: |', // 12
    '        tasks.a.status', // 13
  ].join('\n');
  const lineOf = locate(source);

  it('gives a mapping entry the line of its key', () => {
    expect(lineOf('apiVersion')).toBe(1);
    expect(lineOf('metadata')).toBe(2);
    expect(lineOf('metadata.name')).toBe(3);
    expect(lineOf('spec.tasks[1].when')).toBe(12);
  });

  it('gives a list item the line where its content starts', () => {
    expect(lineOf('spec.tasks[0]')).toBe(6);
    expect(lineOf('spec.tasks[1]')).toBe(9);
    expect(lineOf('spec.tasks[1].dependsOn[0]')).toBe(11);
  });

  it('locates entries inside flow collections, quoted keys included', () => {
    expect(lineOf('spec.tasks[0].with.url')).toBe(7);
    expect(lineOf('spec.tasks[0].with["odd key"]')).toBe(7);
    expect(lineOf('spec.tasks[0].with.list[1]')).toBe(7);
  });

  it('locates the root at the document start and knows nothing of absent paths', () => {
    expect(lineOf('')).toBe(1);
    expect(lineOf('spec.tasks[2]')).toBeUndefined();
    expect(lineOf('spec.tasks[0].type')).toBeUndefined();
  });

  it('skips the subtree of a complex key without losing its place', () => {
    const lineOfComplex = locate('? [a, b]\n: 1\nafter: 2\n');
    expect(lineOfComplex('after')).toBe(3);
  });
});

describe('lineLocator', () => {
  it('maps offsets to 1-based lines', () => {
    const lineAt = lineLocator('ab\ncd\n\nef');
    expect([0, 2, 3, 5, 6, 7, 8].map(lineAt)).toEqual([1, 1, 2, 2, 3, 4, 4]);
  });
});
