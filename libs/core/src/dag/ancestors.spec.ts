import { CycleDetected } from '../errors/flowctl-error';
import { ancestorsOf, ancestryOf } from './ancestors';
import { chain, graph } from './testing/dag-factory';

describe('ancestorsOf', () => {
  it('gives every task its transitive upstream', () => {
    const ancestors = ancestorsOf(graph('a', 'b<a', 'c<b', 'd<a', 'e<c,d', 'lonely'));
    expect(ancestors.get('a')).toEqual(new Set());
    expect(ancestors.get('c')).toEqual(new Set(['a', 'b']));
    expect(ancestors.get('e')).toEqual(new Set(['a', 'b', 'c', 'd']));
    expect(ancestors.get('lonely')).toEqual(new Set());
  });

  it('lists ancestors in declaration order', () => {
    expect([...ancestorsOf(graph('z', 'y', 'x<y,z', 'w<x')).get('w')!]).toEqual(['z', 'y', 'x']);
  });

  it('does not count downstream or sibling tasks', () => {
    const ancestors = ancestorsOf(graph('a', 'b<a', 'c<a'));
    expect(ancestors.get('b')).toEqual(new Set(['a']));
    expect(ancestors.get('a')!.has('b')).toBe(false);
  });

  it('handles more than 32 tasks (several words per bit set)', () => {
    const ancestors = ancestorsOf(chain(100));
    expect(ancestors.get('n99')!.size).toBe(99);
    expect(ancestors.get('n40')).toEqual(new Set(Array.from({ length: 40 }, (_, i) => `n${i}`)));
  });

  it('handles a 2,000-task chain', () => {
    const ancestors = ancestorsOf(chain(2_000));
    expect(ancestors.get('n1999')!.size).toBe(1_999);
  });

  it('throws CycleDetected on a cyclic graph', () => {
    expect(() => ancestorsOf(graph('a<b', 'b<a'))).toThrow(CycleDetected);
  });
});

describe('ancestryOf', () => {
  it('answers whether one task is upstream of another', () => {
    const ancestry = ancestryOf(graph('a', 'b<a', 'c<b', 'd'));
    expect(ancestry.isUpstream('a', 'c')).toBe(true);
    expect(ancestry.isUpstream('c', 'a')).toBe(false);
    expect(ancestry.isUpstream('d', 'c')).toBe(false);
    expect(ancestry.isUpstream('c', 'c')).toBe(false);
    expect(ancestry.isUpstream('ghost', 'c')).toBe(false);
  });

  it('answers for 5,000 tasks in a chain', () => {
    const ancestry = ancestryOf(chain(5_000));
    expect(ancestry.isUpstream('n0', 'n4999')).toBe(true);
    expect(ancestry.isUpstream('n4999', 'n0')).toBe(false);
  });
});
