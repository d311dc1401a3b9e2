/**
 * What the graph functions need of a task. Dependencies on names that are not
 * nodes are ignored here; validation reports them on its own.
 */
export interface DagNode {
  name: string;
  dependsOn: readonly string[];
}

/** Declaration index per name; with duplicate names the first declaration wins. */
export function indexByName(nodes: readonly DagNode[]): Map<string, number> {
  const index = new Map<string, number>();
  nodes.forEach((node, i) => {
    if (!index.has(node.name)) index.set(node.name, i);
  });
  return index;
}

/** Edges as declaration indices, upstream -> downstream, in declaration order, unknown names dropped. */
export function downstreamEdges(nodes: readonly DagNode[], index: Map<string, number>): number[][] {
  const downstream: number[][] = nodes.map(() => []);
  nodes.forEach((node, i) => {
    if (index.get(node.name) !== i) return;
    for (const dependency of new Set(node.dependsOn)) {
      const from = index.get(dependency);
      if (from !== undefined) downstream[from]!.push(i);
    }
  });
  return downstream;
}
