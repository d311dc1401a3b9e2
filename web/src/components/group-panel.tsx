import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client';
import type { Task, TaskStatus } from '@flowctl/api-contract';
import type { DagGroupNode } from '../graph/dag-model';
import { STATUS_LABELS } from '../model/status';
import { StatusBadge, statusStyle } from './status-badge';

/** How many members the list draws at once; a filter narrows a 10,000-instance fan-out to what matters. */
const SHOWN = 500;
/** Instances of a counted fan-out read per page. */
const INSTANCE_PAGE = 100;

type Filter = TaskStatus | 'all';

/** The members of a group node (forEach instances or like siblings), filterable by status. */
export function GroupPanel({
  runId,
  group,
  tasks,
  onOpen,
  onClose,
}: {
  runId: string;
  group: DagGroupNode;
  tasks: ReadonlyMap<string, Task>;
  onOpen: (task: string) => void;
  onClose: () => void;
}) {
  const [filter, setFilter] = useState<Filter>(() =>
    group.counts.failed || group.counts.dead ? (group.counts.failed ? 'failed' : 'dead') : 'all',
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
      <div className="side-panel-body" tabIndex={0}>
        {group.fanOutOf && (
          <button type="button" className="button small" onClick={() => onOpen(group.fanOutOf!)}>
            Open {group.fanOutOf} itself
          </button>
        )}
        <div className="chips" role="group" aria-label="Filter by status">
          <button type="button" className={`chip${filter === 'all' ? ' on' : ''}`} onClick={() => setFilter('all')}>
            all {group.total}
          </button>
          {statuses.map(([status, count]) => (
            <button
              key={status}
              type="button"
              className={`chip${filter === status ? ' on' : ''}`}
              style={statusStyle(status)}
              data-status-count={status}
              onClick={() => setFilter(status)}
            >
              <span className="status-dot" aria-hidden="true" /> {STATUS_LABELS[status]} {count}
            </button>
          ))}
        </div>
        {group.counted && group.fanOutOf ? (
          <PagedInstances key={filter} runId={runId} fanOut={group.fanOutOf} filter={filter} onOpen={onOpen} />
        ) : (
          <HeldMembers group={group} tasks={tasks} filter={filter} onOpen={onOpen} />
        )}
      </div>
    </aside>
  );
}

function MemberList({ members, onOpen }: { members: readonly Pick<Task, 'name' | 'status'>[]; onOpen: (task: string) => void }) {
  return (
    <ul className="member-list">
      {members.map((task) => (
        <li key={task.name}>
          <button type="button" className="member" onClick={() => onOpen(task.name)}>
            <span className="clamp">{task.name}</span>
            <StatusBadge status={task.status} compact />
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Members the live run holds (a small fan-out, like siblings): filtered in memory. */
function HeldMembers({
  group,
  tasks,
  filter,
  onOpen,
}: {
  group: DagGroupNode;
  tasks: ReadonlyMap<string, Task>;
  filter: Filter;
  onOpen: (task: string) => void;
}) {
  const members = useMemo(
    () =>
      group.members
        .map((name) => tasks.get(name) ?? ({ name, status: 'pending' } as Task))
        .filter((task) => filter === 'all' || task.status === filter),
    [group.members, tasks, filter],
  );
  return (
    <>
      <MemberList members={members.slice(0, SHOWN)} onOpen={onOpen} />
      {members.length > SHOWN && (
        <div className="muted small">
          Showing {SHOWN} of {members.length}; filter by status to narrow the list.
        </div>
      )}
    </>
  );
}

/**
 * The instances of a fan-out the live run holds as counts only: read from the
 * API a page at a time, in item order, as they were when read.
 */
function PagedInstances({
  runId,
  fanOut,
  filter,
  onOpen,
}: {
  runId: string;
  fanOut: string;
  filter: Filter;
  onOpen: (task: string) => void;
}) {
  const [items, setItems] = useState<Task[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [failed, setFailed] = useState(false);

  const load = (after?: string, signal?: AbortSignal) => {
    setLoading(true);
    api
      .listInstances(runId, fanOut, { status: filter === 'all' ? undefined : filter, limit: INSTANCE_PAGE, cursor: after }, signal)
      .then(
        (page) => {
          setItems((held) => (after ? [...held, ...page.items] : page.items));
          setCursor(page.nextCursor);
          setFailed(false);
        },
        () => !signal?.aborted && setFailed(true),
      )
      .finally(() => !signal?.aborted && setLoading(false));
  };
  useEffect(() => {
    const controller = new AbortController();
    load(undefined, controller.signal);
    return () => controller.abort();
  }, [runId, fanOut, filter]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <>
      <MemberList members={items} onOpen={onOpen} />
      {failed && <div className="muted small">The instances could not be read.</div>}
      {!loading && items.length === 0 && !failed && <div className="muted small">None.</div>}
      {cursor && (
        <button type="button" className="button small" disabled={loading} onClick={() => load(cursor)} data-testid="more-instances">
          Show {INSTANCE_PAGE} more
        </button>
      )}
    </>
  );
}
