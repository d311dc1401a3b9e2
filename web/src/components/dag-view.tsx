import { Background, Controls, ReactFlow, useReactFlow, type Edge, type NodeChange } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, type RefObject } from 'react';
import { layoutDag, type Position } from '../graph/dag-layout';
import type { DagModel, DagNode } from '../graph/dag-model';
import { useTheme } from '../hooks/use-theme';
import { NODE_TYPES, type GroupFlowNode, type TaskFlowNode } from './dag-nodes';

type FlowNode = TaskFlowNode | GroupFlowNode;

export interface DagViewProps {
  model: DagModel;
  /** The node drawn as selected (the task or group whose panel is open). */
  selectedId?: string;
  onSelect?: (node: DagNode) => void;
  height?: number | string;
}

/** Above this many nodes the graph draws only what is on screen. */
const LARGE_GRAPH = 150;

type Size = { width: number; height: number };

function toFlowNode(node: DagNode, position: Position, selected: boolean, measured: Size | undefined): FlowNode {
  if (node.kind === 'task') {
    return {
      id: node.id,
      type: 'task',
      position,
      measured,
      data: { name: node.name, type: node.type, status: node.status, attempt: node.attempt, forEach: node.forEach, selected },
    };
  }
  return {
    id: node.id,
    type: 'taskGroup',
    position,
    measured,
    data: {
      label: node.label,
      type: node.type,
      status: node.status,
      counts: node.counts,
      total: node.total,
      fanOutOf: node.fanOutOf,
      selected,
    },
  };
}

const FIT_OPTIONS = { padding: 0.12, maxZoom: 1.1, minZoom: 0.2 };

/** Fits the graph again when its box changes size (a side panel opened or closed, the window resized). */
function FitOnResize({ container }: { container: RefObject<HTMLDivElement | null> }) {
  const { fitView } = useReactFlow();
  useEffect(() => {
    const element = container.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    let width = element.clientWidth;
    let frame = 0;
    const observer = new ResizeObserver(() => {
      if (Math.abs(element.clientWidth - width) < 2) return;
      width = element.clientWidth;
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => void fitView(FIT_OPTIONS));
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      cancelAnimationFrame(frame);
    };
  }, [container, fitView]);
  return null;
}

const signature = (node: DagNode, selected: boolean) =>
  node.kind === 'task'
    ? `${node.status}|${node.attempt}|${selected}`
    : `${node.status}|${selected}|${Object.entries(node.counts)
        .map(([k, v]) => `${k}${v}`)
        .join()}`;

/**
 * The DAG, laid out by dagre once per shape (statuses never move a node), and
 * drawn by React Flow. Node objects are reused while their data is unchanged,
 * so a delta that touches three tasks of a thousand re-renders three nodes.
 */
export function DagView({ model, selectedId, onSelect, height = '100%' }: DagViewProps) {
  const { theme } = useTheme();
  // Layout depends on the shape only; the model object changes with every status update.
  const modelRef = useRef(model);
  modelRef.current = model;
  const positions = useMemo(() => layoutDag(modelRef.current), [model.structureKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const cache = useRef(new Map<string, { signature: string; node: FlowNode }>());
  // React Flow hides a node it has no size for until it measures it again, and a node object
  // without `measured` has none: a live count update would blink the node out, or leave it
  // hidden if the re-measure is lost. So each node's last measured size goes with its next object.
  const sizes = useRef(new Map<string, Size>());
  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => {
    for (const change of changes) if (change.type === 'dimensions' && change.dimensions) sizes.current.set(change.id, change.dimensions);
  }, []);

  const nodes = useMemo(() => {
    const next = new Map<string, { signature: string; node: FlowNode }>();
    const list = model.nodes.map((node) => {
      const selected = node.id === selectedId;
      const sig = `${signature(node, selected)}|${positions.get(node.id)?.x},${positions.get(node.id)?.y}`;
      const cached = cache.current.get(node.id);
      const flowNode =
        cached && cached.signature === sig
          ? cached.node
          : toFlowNode(node, positions.get(node.id) ?? { x: 0, y: 0 }, selected, sizes.current.get(node.id));
      next.set(node.id, { signature: sig, node: flowNode });
      return flowNode;
    });
    cache.current = next;
    return list;
  }, [model, positions, selectedId]);

  const edges = useMemo<Edge[]>(
    () =>
      model.edges.map((edge) => ({
        id: edge.id,
        source: edge.source,
        target: edge.target,
        type: 'smoothstep',
        selectable: false,
        focusable: false,
      })),
    [model.edges],
  );
  const byId = useMemo(() => new Map(model.nodes.map((node) => [node.id, node])), [model.nodes]);
  const large = model.nodes.length > LARGE_GRAPH;

  const container = useRef<HTMLDivElement>(null);
  return (
    <div className="dag-view" style={{ height }} data-testid="dag" ref={container}>
      <ReactFlow
        key={model.structureKey}
        nodes={nodes}
        onNodesChange={onNodesChange}
        edges={edges}
        nodeTypes={NODE_TYPES}
        colorMode={theme}
        fitView
        fitViewOptions={FIT_OPTIONS}
        minZoom={0.05}
        maxZoom={2}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        onlyRenderVisibleElements={large}
        proOptions={{ hideAttribution: true }}
        onNodeClick={(_event, node) => {
          const dagNode = byId.get(node.id);
          if (dagNode) onSelect?.(dagNode);
        }}
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} position="bottom-left" />
        <FitOnResize container={container} />
      </ReactFlow>
    </div>
  );
}
