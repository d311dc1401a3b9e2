import { CycleDetected } from '../errors/flowctl-error';
import { chain, graph } from './testing/dag-factory';
import { topologicalOrder } from './topological-order';

describe('topologicalOrder', () => {
  it('puts every task after its dependencies', () => {
    expect(topologicalOrder(graph('load<transform', 'transform<extract', 'extract'))).toEqual(['extract', 'transform', 'load']);
  });

  it('keeps declaration order among tasks that are ready together', () => {
    expect(topologicalOrder(graph('c', 'a', 'b'))).toEqual(['c', 'a', 'b']);
    expect(topologicalOrder(graph('root', 'z<root', 'y<root', 'x<root', 'join<x,y,z'))).toEqual(['root', 'z', 'y', 'x', 'join']);
  });

  it('prefers the earlier-declared ready task, even if it became ready later', () => {
    // late depends on b; early has no dependency but is declared after late.
    expect(topologicalOrder(graph('b', 'late<b', 'early'))).toEqual(['b', 'late', 'early']);
  });

  it('returns a definition already in dependency order unchanged', () => {
    const nodes = graph('a', 'b<a', 'c<a', 'd<b,c', 'e');
    expect(topologicalOrder(nodes)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('throws CycleDetected naming the cycle', () => {
    expect(() => topologicalOrder(graph('a<c', 'b<a', 'c<b', 'd'))).toThrow(new CycleDetected(['a', 'b', 'c', 'a']));
    expect(() => topologicalOrder(graph('a<c', 'b<a', 'c<b'))).toThrow('dependency cycle a -> b -> c -> a');
  });

  it('orders a 10,000-task chain declared backwards', () => {
    const order = topologicalOrder(chain(10_000).reverse());
    expect(order[0]).toBe('n0');
    expect(order.at(-1)).toBe('n9999');
  });
});
