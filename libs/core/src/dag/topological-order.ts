import { CycleDetected } from '../errors/flowctl-error';
import { findCycle, formatCycle } from './cycle-path';
import { downstreamEdges, indexByName, type DagNode } from './dag-node';

/**
 * Kahn's algorithm taking, among the ready nodes, the one declared first: a
 * definition already written in dependency order comes back unchanged, and the
 * order never depends on hash or insertion accidents. Throws CycleDetected.
 */
export function topologicalOrder(nodes: readonly DagNode[]): string[] {
  return topologicalIndices(nodes).map((i) => nodes[i]!.name);
}

/** Declaration indices in topological order (first declaration of each name only). */
export function topologicalIndices(nodes: readonly DagNode[]): number[] {
  const index = indexByName(nodes);
  const downstream = downstreamEdges(nodes, index);
  const waitingFor = new Array<number>(nodes.length).fill(0);
  for (const targets of downstream) for (const target of targets) waitingFor[target]!++;
  const ready = new MinHeap();
  for (const i of index.values()) if (waitingFor[i] === 0) ready.push(i);
  const order: number[] = [];
  for (let next = ready.pop(); next !== undefined; next = ready.pop()) {
    order.push(next);
    for (const target of downstream[next]!) if (--waitingFor[target]! === 0) ready.push(target);
  }
  if (order.length < index.size) {
    const cycle = findCycle(nodes) ?? [];
    throw new CycleDetected(cycle, `dependency cycle ${formatCycle(cycle)}`);
  }
  return order;
}

class MinHeap {
  private readonly items: number[] = [];

  push(value: number): void {
    const items = this.items;
    items.push(value);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= value) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = value;
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && items[right]! < items[left]! ? right : left;
      if (items[child]! >= last) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
