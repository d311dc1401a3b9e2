import { graph } from './testing/dag-factory';
import { dependentsOf } from './dependents';

describe('dependentsOf', () => {
  it('gives every task its direct downstream tasks in declaration order', () => {
    const dependents = dependentsOf(graph('a', 'c<a', 'b<a', 'd<b,c'));
    expect(dependents.get('a')).toEqual(['c', 'b']);
    expect(dependents.get('b')).toEqual(['d']);
    expect(dependents.get('d')).toEqual([]);
  });

  it('counts a repeated dependency once and ignores unknown ones', () => {
    const dependents = dependentsOf([
      { name: 'a', dependsOn: [] },
      { name: 'b', dependsOn: ['a', 'a', 'ghost'] },
    ]);
    expect(dependents.get('a')).toEqual(['b']);
    expect(dependents.has('ghost')).toBe(false);
  });
});
