import { downstreamEdges, indexByName, type DagNode } from './dag-node';

const UNVISITED = 0;
const ON_PATH = 1;
const DONE = 2;

/**
 * The first cycle met by a depth-first walk that starts at each node in
 * declaration order and follows the run direction (upstream -> downstream):
 * `['a', 'b', 'c', 'a']` means a runs before b, b before c, c before a.
 * Iterative, so a 10,000-task chain does not exhaust the stack.
 */
export function findCycle(nodes: readonly DagNode[]): string[] | null {
  const index = indexByName(nodes);
  const downstream = downstreamEdges(nodes, index);
  const state = new Uint8Array(nodes.length);
  for (let start = 0; start < nodes.length; start++) {
    if (state[start] !== UNVISITED || index.get(nodes[start]!.name) !== start) continue;
    // The path of the walk and, per node on it, how many of its edges were already followed.
    const path: number[] = [start];
    const nextEdge: number[] = [0];
    state[start] = ON_PATH;
    while (path.length > 0) {
      const top = path.length - 1;
      const node = path[top]!;
      const edge = nextEdge[top]!;
      const edges = downstream[node]!;
      if (edge >= edges.length) {
        state[node] = DONE;
        path.pop();
        nextEdge.pop();
        continue;
      }
      nextEdge[top] = edge + 1;
      const target = edges[edge]!;
      if (state[target] === ON_PATH) {
        const cycle = path.slice(path.indexOf(target)).map((i) => nodes[i]!.name);
        return [...cycle, nodes[target]!.name];
      }
      if (state[target] === UNVISITED) {
        state[target] = ON_PATH;
        path.push(target);
        nextEdge.push(0);
      }
    }
  }
  return null;
}

export const formatCycle = (cycle: readonly string[]): string => cycle.join(' -> ');
