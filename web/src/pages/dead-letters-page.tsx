import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, ApiError } from '../api/client';
import type { DeadLetter, RequeueResult } from '@flowctl/api-contract';
import { ConfirmDialog } from '../components/confirm-dialog';
import { EmptyState } from '../components/empty-state';
import { ErrorNotice } from '../components/error-notice';
import { JsonView } from '../components/json-view';
import { Pager } from '../components/pager';
import { useCursorPages } from '../hooks/use-cursor-pages';
import { ErrorDetails } from '../components/task-panel';
import { TimeText } from '../components/time-text';
import { useNow } from '../hooks/use-now';
import { useResource } from '../hooks/use-resource';
import { shortId } from '../model/run-id';
import { formatTimestamp } from '../model/time-format';

const PAGE_SIZE = 100;

/** Requeues one after another (each reopens its run in its own transaction) and reports which were refused. */
export async function requeueAll(
  ids: readonly string[],
  requeue: (id: string) => Promise<RequeueResult>,
): Promise<{ done: string[]; refused: { id: string; message: string }[] }> {
  const done: string[] = [];
  const refused: { id: string; message: string }[] = [];
  for (const id of ids) {
    try {
      await requeue(id);
      done.push(id);
    } catch (error) {
      refused.push({ id, message: error instanceof ApiError ? error.message : String(error) });
    }
  }
  return { done, refused };
}

function LetterPanel({ letter, onRequeue, onClose }: { letter: DeadLetter; onRequeue: () => void; onClose: () => void }) {
  return (
    <aside className="side-panel" aria-label={`Dead letter ${letter.id}`} data-testid="letter-panel">
      <header className="side-panel-header">
        <div>
          <div className="eyebrow">Dead letter #{letter.id}</div>
          <h2 className="side-panel-title">{letter.task}</h2>
          <div className="side-panel-meta">
            <span className="tag">{letter.type}</span>
            <span className="muted small">after attempt {letter.attempt}</span>
          </div>
        </div>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close dead letter">
          ×
        </button>
      </header>
      <div className="side-panel-body" tabIndex={0}>
        <div className="row-actions">
          <button type="button" className="button primary" onClick={onRequeue} data-testid="requeue-one">
            Requeue
          </button>
          <Link className="button" to={`/runs/${letter.runId}/tasks/${encodeURIComponent(letter.task)}`}>
            Open in run
          </Link>
        </div>
        <dl className="facts">
          <dt>Workflow</dt>
          <dd>{letter.workflow}</dd>
          <dt>Run</dt>
          <dd className="mono">{letter.runId}</dd>
          <dt>Dead since</dt>
          <dd>{formatTimestamp(letter.deadAt)}</dd>
        </dl>
        {letter.error && (
          <section className="panel-section">
            <h3>Error</h3>
            <ErrorDetails error={letter.error} />
          </section>
        )}
        <section className="panel-section">
          <h3>Input</h3>
          <JsonView value={letter.input} />
        </section>
      </div>
    </aside>
  );
}

/** Tasks whose retries ran out: filter, inspect, and requeue one or many with a fresh budget of attempts. */
export function DeadLettersPage() {
  const { id: openId } = useParams();
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const pages = useCursorPages(search, setSearch);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [requeueing, setRequeueing] = useState<string[]>();
  const [report, setReport] = useState<string>();
  const now = useNow(5_000);
  const workflow = search.get('workflow') ?? '';
  const type = search.get('type') ?? '';
  const runFilter = search.get('run') ?? '';
  const { cursor } = pages;
  const letters = useResource(
    (signal) => api.listDeadLetters({ workflow: workflow || undefined, type: type || undefined, cursor, limit: PAGE_SIZE }, signal),
    `${workflow}|${type}|${cursor ?? ''}`,
    { refreshMs: 5_000 },
  );
  const items = useMemo(
    () => (letters.data?.items ?? []).filter((letter) => !runFilter || letter.runId === runFilter),
    [letters.data, runFilter],
  );
  const open = openId ? items.find((letter) => letter.id === openId) : undefined;
  const openLetter = useResource((signal) => api.getDeadLetter(openId!, signal), openId ?? '', { enabled: !!openId && !open });
  const shownLetter = open ?? (openLetter.data && !openLetter.data.requeuedAt ? openLetter.data : undefined);

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    pages.restart(next);
    setSelected(new Set());
    setSearch(next);
  };
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const allSelected = items.length > 0 && items.every((letter) => selected.has(letter.id));
  const listPath = `/dead-letters${search.toString() ? `?${search.toString()}` : ''}`;

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Dead letters</h1>
          <p className="page-subtitle">
            Tasks that exhausted their retries. Requeueing gives a task a fresh budget of attempts and lets its run go on.
          </p>
        </div>
        <div className="header-actions">
          <button
            type="button"
            className="button primary"
            disabled={selected.size === 0}
            onClick={() => setRequeueing([...selected])}
            data-testid="requeue-selected"
          >
            Requeue {selected.size > 0 ? selected.size : ''} selected
          </button>
        </div>
      </header>

      <div className="toolbar" role="search">
        <label className="field inline">
          <span>Workflow</span>
          <input
            type="search"
            placeholder="any"
            defaultValue={workflow}
            onKeyDown={(event) => event.key === 'Enter' && setFilter('workflow', event.currentTarget.value.trim())}
            onBlur={(event) => setFilter('workflow', event.target.value.trim())}
          />
        </label>
        <label className="field inline">
          <span>Task type</span>
          <input
            type="search"
            placeholder="any"
            defaultValue={type}
            onKeyDown={(event) => event.key === 'Enter' && setFilter('type', event.currentTarget.value.trim())}
            onBlur={(event) => setFilter('type', event.target.value.trim())}
          />
        </label>
        {runFilter && (
          <span className="chip on">
            run {shortId(runFilter)}
            <button type="button" className="chip-clear" aria-label="Show every run" onClick={() => setFilter('run', '')}>
              ×
            </button>
          </span>
        )}
      </div>

      {report && (
        <div className="notice" role="status">
          {report}
        </div>
      )}
      {letters.error && <ErrorNotice error={letters.error} onRetry={letters.reload} title="Could not load dead letters" />}

      <div className={`split${shownLetter ? ' with-panel' : ''}`}>
        <div className="min-width-0">
          {letters.data && items.length === 0 && (
            <EmptyState title={workflow || type || runFilter ? 'No dead letters match' : 'No dead letters'}>
              {workflow || type || runFilter
                ? 'Nothing waits here for these filters. Clear them to see every dead letter.'
                : 'Nothing waits here: every task either succeeded or is still within its retries. A task lands here after its last attempt fails.'}
            </EmptyState>
          )}
          {items.length > 0 && (
            <table className="table" data-testid="dead-letters-table">
              <thead>
                <tr>
                  <th className="col-check">
                    <input
                      type="checkbox"
                      aria-label="Select all on this page"
                      checked={allSelected}
                      onChange={() => setSelected(allSelected ? new Set() : new Set(items.map((letter) => letter.id)))}
                    />
                  </th>
                  <th>Task</th>
                  <th>Workflow</th>
                  <th className="col-id">Run</th>
                  <th>Error</th>
                  <th className="num">Attempts</th>
                  <th className="col-time">Dead</th>
                </tr>
              </thead>
              <tbody>
                {items.map((letter) => (
                  <tr
                    key={letter.id}
                    data-letter={letter.id}
                    data-run={letter.runId}
                    className={letter.id === shownLetter?.id ? 'selected' : undefined}
                  >
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Select ${letter.task}`}
                        checked={selected.has(letter.id)}
                        onChange={() => toggle(letter.id)}
                      />
                    </td>
                    <td>
                      <Link to={`/dead-letters/${letter.id}${search.toString() ? `?${search.toString()}` : ''}`} className="clamp">
                        {letter.task}
                      </Link>
                      <div className="muted small">{letter.type}</div>
                    </td>
                    <td className="clamp">{letter.workflow}</td>
                    <td>
                      <Link to={`/runs/${letter.runId}`} className="mono" title={letter.runId}>
                        {shortId(letter.runId)}
                      </Link>
                    </td>
                    <td className="clamp error-cell" title={letter.error?.message}>
                      {letter.error ? `${letter.error.type}: ${letter.error.message}` : '–'}
                    </td>
                    <td className="num">{letter.attempt}</td>
                    <td>
                      <TimeText iso={letter.deadAt} now={now} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {!letters.data && !letters.error && <div className="skeleton-table" aria-busy="true" />}
          <Pager {...pages.pagerProps(letters.data?.nextCursor)} />
        </div>
        {shownLetter && (
          <LetterPanel letter={shownLetter} onRequeue={() => setRequeueing([shownLetter.id])} onClose={() => navigate(listPath)} />
        )}
      </div>

      {requeueing && (
        <ConfirmDialog
          title={requeueing.length === 1 ? 'Requeue this task?' : `Requeue ${requeueing.length} tasks?`}
          confirmLabel={requeueing.length === 1 ? 'Requeue' : `Requeue ${requeueing.length}`}
          onClose={() => setRequeueing(undefined)}
          onConfirm={async () => {
            const result = await requeueAll(requeueing, (id) => api.requeueDeadLetter(id));
            letters.reload();
            setSelected((current) => new Set([...current].filter((id) => !result.done.includes(id))));
            if (result.refused.length > 0) {
              const first = result.refused[0]!;
              throw new ApiError(409, `${result.done.length} requeued, ${result.refused.length} refused. #${first.id}: ${first.message}`);
            }
            setReport(`${result.done.length} task${result.done.length === 1 ? '' : 's'} requeued; their runs go on.`);
            if (openId && result.done.includes(openId)) navigate(listPath);
            return result;
          }}
        >
          Each task gets a fresh budget of attempts (attempt numbers continue) and its run goes on from there.
        </ConfirmDialog>
      )}
    </div>
  );
}
