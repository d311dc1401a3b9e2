import { useCallback, useMemo, useRef } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, type RunListFilter } from '../api/client';
import { RUN_STATUSES, type Page, type Run, type RunStatus } from '@flowctl/api-contract';
import { LiveIndicator } from '../components/app-layout';
import { EmptyState } from '../components/empty-state';
import { ErrorNotice } from '../components/error-notice';
import { Pager } from '../components/pager';
import { useCursorPages } from '../hooks/use-cursor-pages';
import { StatusBadge } from '../components/status-badge';
import { TimeText } from '../components/time-text';
import { useNow } from '../hooks/use-now';
import { useResource } from '../hooks/use-resource';
import { useRunsStream } from '../hooks/use-runs-stream';
import { shortId } from '../model/run-id';
import { STATUS_LABELS } from '../model/status';
import { durationBetween, formatDuration, fromLocalInput, toLocalInput } from '../model/time-format';

const PAGE_SIZE = 50;
export const TIME_RANGES: Record<string, { label: string; ms?: number }> = {
  '': { label: 'Any time' },
  '1h': { label: 'Last hour', ms: 3_600_000 },
  '24h': { label: 'Last 24 hours', ms: 86_400_000 },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000 },
  custom: { label: 'Custom range…' },
};

/** The list's filter as the URL says it; a preset range is relative to when the list is read. */
export function filterFromSearch(search: URLSearchParams, now = Date.now()): RunListFilter {
  const range = search.get('range') ?? '';
  const preset = TIME_RANGES[range];
  return {
    workflow: search.get('workflow') || undefined,
    status: (search.get('status') || undefined) as RunStatus | undefined,
    from: preset?.ms ? new Date(now - preset.ms).toISOString() : range === 'custom' ? search.get('from') || undefined : undefined,
    to: range === 'custom' ? search.get('to') || undefined : undefined,
    cursor: search.get('cursor') || undefined,
    limit: PAGE_SIZE,
  };
}

/** Whether a run that just appeared belongs on the first page of this filter. */
export function matchesFilter(run: Run, filter: RunListFilter): boolean {
  if (filter.workflow && run.workflow !== filter.workflow) return false;
  if (filter.status && run.status !== filter.status) return false;
  const created = Date.parse(run.createdAt);
  if (filter.from && created < Date.parse(filter.from)) return false;
  if (filter.to && created >= Date.parse(filter.to)) return false;
  return true;
}

function Progress({ run }: { run: Run }) {
  const done = run.tasksTotal - run.tasksOpen;
  const fraction = run.tasksTotal > 0 ? done / run.tasksTotal : 0;
  return (
    <div className="progress" title={`${done} of ${run.tasksTotal} tasks ended`}>
      <div className="progress-bar">
        <span style={{ width: `${fraction * 100}%`, background: `var(--status-${run.status === 'running' ? 'running' : run.status})` }} />
      </div>
      <span className="num small">
        {done}/{run.tasksTotal}
      </span>
    </div>
  );
}

export function RunsTable({ runs, now, showWorkflow = true }: { runs: Run[]; now: number; showWorkflow?: boolean }) {
  return (
    <table className="table runs-table" data-testid="runs-table">
      <thead>
        <tr>
          <th className="col-status">Status</th>
          <th className="col-id">Run</th>
          {showWorkflow && <th>Workflow</th>}
          <th className="col-progress">Tasks</th>
          <th className="col-time">Created</th>
          <th className="col-duration">Duration</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.id} data-run={run.id}>
            <td>
              <StatusBadge status={run.status} />
            </td>
            <td>
              <Link to={`/runs/${run.id}`} className="mono" title={run.id}>
                {shortId(run.id)}
              </Link>
            </td>
            {showWorkflow && (
              <td className="clamp">
                <Link to={`/workflows/${encodeURIComponent(run.workflow)}`}>{run.workflow}</Link>
                <span className="muted small"> v{run.version}</span>
              </td>
            )}
            <td>
              <Progress run={run} />
            </td>
            <td>
              <TimeText iso={run.createdAt} now={now} />
            </td>
            <td className="num">{run.startedAt ? formatDuration(durationBetween(run.startedAt, run.finishedAt, now) ?? 0) : '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RunsPage() {
  const [search, setSearch] = useSearchParams();
  const pages = useCursorPages(search, setSearch);
  const now = useNow(1_000);
  const filter = useMemo(() => filterFromSearch(search), [search]);
  const key = search.toString();
  const runs = useResource<Page<Run>>((signal) => api.listRuns(filterFromSearch(search), signal), key);
  const workflows = useResource((signal) => api.listWorkflows({ limit: 200 }, signal), 'workflows');
  const filterRef = useRef(filter);
  filterRef.current = filter;

  const { setData, reload } = runs;
  const onRuns = useCallback(
    (changed: Run[]) =>
      setData((current) => {
        if (!current) return current;
        const byId = new Map(changed.map((run) => [run.id, run]));
        const items = current.items.map((run) => byId.get(run.id) ?? run);
        const known = new Set(items.map((run) => run.id));
        // New runs go on top of the first page only; later pages are a fixed window of the past.
        const fresh = filterRef.current.cursor ? [] : changed.filter((run) => !known.has(run.id) && matchesFilter(run, filterRef.current));
        if (fresh.length === 0 && items.every((run, i) => run === current.items[i])) return current;
        fresh.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        return { ...current, items: [...fresh, ...items] };
      }),
    [setData],
  );
  const stream = useRunsStream(onRuns, reload);

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(search);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    pages.restart(next);
    setSearch(next);
  };
  const range = search.get('range') ?? '';
  const filtered = Boolean(filter.workflow || filter.status || range);

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Runs</h1>
          <p className="page-subtitle">Every run, newest first. New runs and status changes appear as they happen.</p>
        </div>
        <LiveIndicator state={stream} />
      </header>

      <div className="toolbar" role="search">
        <label className="field inline">
          <span>Workflow</span>
          <select
            value={filter.workflow ?? ''}
            onChange={(event) => update({ workflow: event.target.value })}
            data-testid="filter-workflow"
          >
            <option value="">All workflows</option>
            {filter.workflow && !workflows.data?.items.some((w) => w.name === filter.workflow) && (
              <option value={filter.workflow}>{filter.workflow}</option>
            )}
            {workflows.data?.items.map((workflow) => (
              <option key={`${workflow.namespace}/${workflow.name}`} value={workflow.name}>
                {workflow.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field inline">
          <span>Status</span>
          <select value={filter.status ?? ''} onChange={(event) => update({ status: event.target.value })} data-testid="filter-status">
            <option value="">Any status</option>
            {RUN_STATUSES.map((status) => (
              <option key={status} value={status}>
                {STATUS_LABELS[status]}
              </option>
            ))}
          </select>
        </label>
        <label className="field inline">
          <span>Created</span>
          <select
            value={range}
            onChange={(event) => update({ range: event.target.value, from: undefined, to: undefined })}
            data-testid="filter-range"
          >
            {Object.entries(TIME_RANGES).map(([value, { label }]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {range === 'custom' && (
          <>
            <label className="field inline">
              <span>From</span>
              <input
                type="datetime-local"
                value={toLocalInput(search.get('from') ?? undefined)}
                onChange={(event) => update({ from: fromLocalInput(event.target.value) })}
              />
            </label>
            <label className="field inline">
              <span>To</span>
              <input
                type="datetime-local"
                value={toLocalInput(search.get('to') ?? undefined)}
                onChange={(event) => update({ to: fromLocalInput(event.target.value) })}
              />
            </label>
          </>
        )}
        {filtered && (
          <button
            type="button"
            className="button small subtle"
            onClick={() => update({ workflow: undefined, status: undefined, range: undefined, from: undefined, to: undefined })}
          >
            Clear filters
          </button>
        )}
      </div>

      {runs.error && <ErrorNotice error={runs.error} onRetry={runs.reload} title="Could not load runs" />}
      {runs.data && runs.data.items.length > 0 && <RunsTable runs={runs.data.items} now={now} />}
      {runs.data &&
        runs.data.items.length === 0 &&
        (filtered ? (
          <EmptyState
            title="No runs match these filters"
            action={
              <button
                type="button"
                className="button"
                onClick={() => update({ workflow: undefined, status: undefined, range: undefined, from: undefined, to: undefined })}
              >
                Clear filters
              </button>
            }
          >
            Widen the time range or pick another status.
          </EmptyState>
        ) : (
          <EmptyState
            title="No runs yet"
            action={
              <Link className="button primary" to="/workflows">
                Pick a workflow to run
              </Link>
            }
          >
            Start a run from a workflow's page, or from a terminal: <code>npx flowctl run hello-world --wait</code>. It shows up here as it
            starts.
          </EmptyState>
        ))}
      {!runs.data && !runs.error && <div className="skeleton-table" aria-busy="true" />}
      <Pager {...pages.pagerProps(runs.data?.nextCursor)} />
    </div>
  );
}
