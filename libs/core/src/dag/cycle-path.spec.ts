import { findCycle, formatCycle } from './cycle-path';
import { chain, graph } from './testing/dag-factory';

describe('findCycle', () => {
  it('finds nothing in an acyclic graph', () => {
    expect(findCycle(graph('a', 'b<a', 'c<a,b', 'd<c'))).toBeNull();
    expect(findCycle([])).toBeNull();
  });

  it('returns the cycle in run order, closed on its first task', () => {
    // b needs a, c needs b, a needs c: a runs before b, b before c, c before a.
    expect(findCycle(graph('a<c', 'b<a', 'c<b'))).toEqual(['a', 'b', 'c', 'a']);
  });

  it('reports a task depending on itself', () => {
    expect(findCycle(graph('a', 'b<b'))).toEqual(['b', 'b']);
  });

  it('reports only the cycle, not the path leading into it', () => {
    expect(findCycle(graph('start', 'x<start,z', 'y<x', 'z<y'))).toEqual(['x', 'y', 'z', 'x']);
  });

  it('is deterministic: the first cycle met in declaration order wins', () => {
    const nodes = graph('p<q', 'q<p', 'r<s', 's<r');
    expect(findCycle(nodes)).toEqual(['p', 'q', 'p']);
    expect(findCycle(nodes)).toEqual(['p', 'q', 'p']);
  });

  it('ignores dependencies on unknown tasks', () => {
    expect(findCycle(graph('a<ghost', 'b<a'))).toBeNull();
  });

  it('walks a 10,000-task chain without exhausting the stack', () => {
    const nodes = chain(10_000);
    expect(findCycle(nodes)).toBeNull();
    nodes[0] = { name: 'n0', dependsOn: ['n9999'] };
    const cycle = findCycle(nodes)!;
    expect(cycle).toHaveLength(10_001);
    expect(cycle[0]).toBe('n0');
    expect(cycle.at(-2)).toBe('n9999');
  });

  it('formats a cycle with arrows', () => {
    expect(formatCycle(['a', 'b', 'c', 'a'])).toBe('a -> b -> c -> a');
  });
});
