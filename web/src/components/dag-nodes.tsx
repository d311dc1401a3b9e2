import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { TaskStatus } from '@flowctl/api-contract';
import { isActive, STATUS_LABELS, type AnyStatus } from '../model/status';
import { statusStyle } from './status-badge';

export interface TaskNodeData extends Record<string, unknown> {
  name: string;
  type: string;
  status: AnyStatus;
  attempt: number;
  forEach: boolean;
  selected: boolean;
}

export interface GroupNodeData extends Record<string, unknown> {
  label: string;
  type: string;
  status: AnyStatus;
  counts: Partial<Record<TaskStatus, number>>;
  total: number;
  fanOutOf?: string;
  selected: boolean;
}

export type TaskFlowNode = Node<TaskNodeData, 'task'>;
export type GroupFlowNode = Node<GroupNodeData, 'taskGroup'>;

const handles = (
  <>
    <Handle type="target" position={Position.Left} isConnectable={false} className="dag-handle" />
    <Handle type="source" position={Position.Right} isConnectable={false} className="dag-handle" />
  </>
);

export const TaskNode = memo(function TaskNode({ data }: NodeProps<TaskFlowNode>) {
  return (
    <div
      className={`dag-node${data.selected ? ' selected' : ''}${isActive(data.status) ? ' active' : ''}`}
      style={statusStyle(data.status)}
      data-task={data.name}
      data-status={data.status}
      title={`${data.name}: ${STATUS_LABELS[data.status]}`}
    >
      {handles}
      <div className="dag-node-title">
        <span className="status-dot" aria-hidden="true" />
        <span className="dag-node-name">{data.name}</span>
      </div>
      <div className="dag-node-meta">
        <span>{data.type}</span>
        {data.forEach && <span className="tag">forEach</span>}
        {data.attempt > 1 && <span>attempt {data.attempt}</span>}
        <span className="dag-node-status">{STATUS_LABELS[data.status]}</span>
      </div>
    </div>
  );
});

/** Segment order of the progress bar: finished work first, then what is in motion, then what waits. */
const BAR_ORDER: TaskStatus[] = ['succeeded', 'failed', 'dead', 'cancelled', 'skipped', 'running', 'retrying', 'queued', 'pending'];

export const GroupNode = memo(function GroupNode({ data }: NodeProps<GroupFlowNode>) {
  const done = (data.counts.succeeded ?? 0) + (data.counts.skipped ?? 0);
  const failed = (data.counts.failed ?? 0) + (data.counts.dead ?? 0);
  return (
    <div
      className={`dag-node group${data.selected ? ' selected' : ''}${isActive(data.status) ? ' active' : ''}`}
      style={statusStyle(data.status)}
      data-group={data.fanOutOf ?? data.label}
      data-status={data.status}
      title={`${data.label} (${data.type}): ${STATUS_LABELS[data.status]}`}
    >
      {handles}
      <div className="dag-node-title">
        <span className="status-dot" aria-hidden="true" />
        <span className="dag-node-name">{data.label}</span>
      </div>
      <div className="dag-bar" aria-label={`${done} of ${data.total} done, ${failed} failed`}>
        {BAR_ORDER.map((status) =>
          data.counts[status] ? (
            <span key={status} style={{ ...statusStyle(status), flexGrow: data.counts[status] }} className="dag-bar-segment" />
          ) : null,
        )}
      </div>
      {/* The counts need the whole width (the type is in the panel and the tooltip): clipped, they would lose "failed". */}
      <div className="dag-node-meta group-counts">
        <span>
          {done}/{data.total} done{failed > 0 ? ` · ${failed} failed` : ''}
        </span>
      </div>
    </div>
  );
});

export const NODE_TYPES = { task: TaskNode, taskGroup: GroupNode };
