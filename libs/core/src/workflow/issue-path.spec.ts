import { indexPath, keyPath, parentPath } from './issue-path';

describe('issue paths', () => {
  it('joins plain keys with dots and indices with brackets', () => {
    expect(indexPath(keyPath(keyPath('', 'spec'), 'tasks'), 2)).toBe('spec.tasks[2]');
    expect(keyPath('spec.tasks[2]', 'Content-Type')).toBe('spec.tasks[2].Content-Type');
  });

  it('quotes keys that are not plain words', () => {
    expect(keyPath('with', 'a.b')).toBe('with["a.b"]');
    expect(keyPath('with', 'two words')).toBe('with["two words"]');
    expect(keyPath('', '1st')).toBe('["1st"]');
  });

  it('walks up one segment at a time to the root', () => {
    const path = 'spec.tasks[2].with["a.b[0]"].c';
    const parents: string[] = [];
    for (let p = parentPath(path); p !== undefined; p = parentPath(p)) parents.push(p);
    expect(parents).toEqual(['spec.tasks[2].with["a.b[0]"]', 'spec.tasks[2].with', 'spec.tasks[2]', 'spec.tasks', 'spec', '']);
  });
});
