import { Graph, layout } from '@dagrejs/dagre';
import type { DagModel } from './dag-model';

/** Every node has the same box, so a task that becomes a group (its forEach expands) does not move its neighbours. */
export const NODE_WIDTH = 184;
export const NODE_HEIGHT = 60;

export interface Position {
  x: number;
  y: number;
}

export type LayoutDirection = 'LR' | 'TB';

/**
 * Places the nodes with dagre (layered, edges left to right like the run's
 * flow of time). Positions are top-left corners, as React Flow wants them.
 */
export function layoutDag(model: Pick<DagModel, 'nodes' | 'edges'>, direction: LayoutDirection = 'LR'): Map<string, Position> {
  const graph = new Graph();
  graph.setGraph({ rankdir: direction, nodesep: 14, ranksep: 44, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of model.nodes) graph.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of model.edges) graph.setEdge(edge.source, edge.target);
  layout(graph);
  const positions = new Map<string, Position>();
  for (const node of model.nodes) {
    const placed = graph.node(node.id) as { x: number; y: number } | undefined;
    positions.set(node.id, placed ? { x: placed.x - NODE_WIDTH / 2, y: placed.y - NODE_HEIGHT / 2 } : { x: 0, y: 0 });
  }
  return positions;
}
