import { useMemo, useState } from 'react';
import type { Task, TaskStatus } from '../api/types';
import type { DagGroupNode } from '../graph/dag-model';
import { STATUS_LABELS } from '../model/status';
import { StatusBadge, statusStyle } from './status-badge';

/** How many members the list draws at once; a filter narrows a 10,000-instance fan-out to what matters. */
const SHOWN = 500;

/** The members of a group node (forEach instances or like siblings), filterable by status. */
export function GroupPanel({
  group,
  tasks,
  onOpen,
  onClose,
}: {
  group: DagGroupNode;
  tasks: ReadonlyMap<string, Task>;
  onOpen: (task: string) => void;
  onClose: () => void;
}) {
  const [filter, setFilter] = useState<TaskStatus | 'all'>(() =>
    group.counts.failed || group.counts.dead ? (group.counts.failed ? 'failed' : 'dead') : 'all',
  );
  const members = useMemo(
    () =>
      group.members
        .map((name) => tasks.get(name) ?? ({ name, status: 'pending' } as Task))
        .filter((task) => filter === 'all' || task.status === filter),
    [group.members, tasks, filter],
  );
  const statuses = Object.entries(group.counts).filter(([, n]) => n) as [TaskStatus, number][];

  return (
    <aside className="side-panel" aria-label={`Group ${group.label}`} data-testid="group-panel">
      <header className="side-panel-header">
        <div>
          <div className="eyebrow">{group.fanOutOf ? 'forEach instances' : 'Group of like tasks'}</div>
          <h2 className="side-panel-title">{group.label}</h2>
          <div className="side-panel-meta">
            <StatusBadge status={group.status} />
            <span className="tag">{group.type}</span>
          </div>
        </div>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close group">
          ×
        </button>
      </header>
      <div className="side-panel-body">
        {group.fanOutOf && (
          <button type="button" className="button small" onClick={() => onOpen(group.fanOutOf!)}>
            Open {group.fanOutOf} itself
          </button>
        )}
        <div className="chips" role="group" aria-label="Filter by status">
          <button type="button" className={`chip${filter === 'all' ? ' on' : ''}`} onClick={() => setFilter('all')}>
            all {group.members.length}
          </button>
          {statuses.map(([status, count]) => (
            <button
              key={status}
              type="button"
              className={`chip${filter === status ? ' on' : ''}`}
              style={statusStyle(status)}
              onClick={() => setFilter(status)}
            >
              <span className="status-dot" aria-hidden="true" /> {STATUS_LABELS[status]} {count}
            </button>
          ))}
        </div>
        <ul className="member-list">
          {members.slice(0, SHOWN).map((task) => (
            <li key={task.name}>
              <button type="button" className="member" onClick={() => onOpen(task.name)}>
                <span className="clamp">{task.name}</span>
                <StatusBadge status={task.status} compact />
              </button>
            </li>
          ))}
        </ul>
        {members.length > SHOWN && (
          <div className="muted small">
            Showing {SHOWN} of {members.length}; filter by status to narrow the list.
          </div>
        )}
      </div>
    </aside>
  );
}
