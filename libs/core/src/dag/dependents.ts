import { downstreamEdges, indexByName, type DagNode } from './dag-node';

/** Direct downstream tasks per task, in declaration order: what to look at when a task ends. */
export function dependentsOf(nodes: readonly DagNode[]): Map<string, string[]> {
  const index = indexByName(nodes);
  const downstream = downstreamEdges(nodes, index);
  const result = new Map<string, string[]>();
  for (const [name, i] of index)
    result.set(
      name,
      downstream[i]!.map((target) => nodes[target]!.name),
    );
  return result;
}
