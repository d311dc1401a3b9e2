import { Link, useSearchParams } from 'react-router';
import { EVENT_OUTCOMES, type Event } from '@flowctl/api-contract';
import { api } from '../api/client';
import { EmptyState } from '../components/empty-state';
import { ErrorNotice } from '../components/error-notice';
import { Pager } from '../components/pager';
import { useCursorPages } from '../hooks/use-cursor-pages';
import { TimeText } from '../components/time-text';
import { useNow } from '../hooks/use-now';
import { useResource } from '../hooks/use-resource';
import { shortId } from '../model/run-id';

const PAGE_SIZE = 100;
const OUTCOME_TAG: Record<Event['outcome'], string> = { matched: 'tag good', unmatched: 'tag', rejected: 'tag danger' };

/** Events received (sent, hook calls, ends of other runs): the runs each started, and why the rejected ones started nothing. */
export function EventsPage() {
  const [search, setSearch] = useSearchParams();
  const pages = useCursorPages(search, setSearch);
  const now = useNow(5_000);
  const name = search.get('name') ?? '';
  const outcome = (search.get('outcome') ?? '') as Event['outcome'] | '';
  const { cursor } = pages;
  const events = useResource(
    (signal) => api.listEvents({ name: name || undefined, outcome: outcome || undefined, cursor, limit: PAGE_SIZE }, signal),
    `${name}|${outcome}|${cursor ?? ''}`,
    { refreshMs: 5_000 },
  );
  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(key, value);
    else next.delete(key);
    pages.restart(next);
    setSearch(next);
  };
  const items = events.data?.items ?? [];

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Events</h1>
          <p className="page-subtitle">
            Events received through the API, signed hooks and the ends of other workflows&apos; runs, with the runs each started (spec.on).
          </p>
        </div>
      </header>

      <div className="toolbar" role="search">
        <label className="field inline">
          <span>Name</span>
          <input
            type="search"
            placeholder="any"
            defaultValue={name}
            onKeyDown={(event) => event.key === 'Enter' && setFilter('name', event.currentTarget.value.trim())}
            onBlur={(event) => setFilter('name', event.target.value.trim())}
          />
        </label>
        <label className="field inline">
          <span>Outcome</span>
          <select value={outcome} onChange={(event) => setFilter('outcome', event.target.value)} data-testid="outcome-filter">
            <option value="">any</option>
            {EVENT_OUTCOMES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
      </div>

      {events.error && <ErrorNotice error={events.error} onRetry={events.reload} title="Could not load events" />}
      {events.data && items.length === 0 && (
        <EmptyState title={name || outcome ? 'No events match' : 'No events yet'}>
          {name || outcome
            ? 'Nothing was received for these filters. Clear them to see every event.'
            : 'Send one with flowctl emit NAME --data JSON, or point a service at /api/v1/hooks/NAME; workflows list what starts them in spec.on.'}
        </EmptyState>
      )}
      {items.length > 0 && (
        <table className="table" data-testid="events-table">
          <thead>
            <tr>
              <th>Event</th>
              <th>Source</th>
              <th>Outcome</th>
              <th>Runs started</th>
              <th className="col-time">Received</th>
            </tr>
          </thead>
          <tbody>
            {items.map((event) => (
              <tr key={`${event.namespace}/${event.id}`} data-event={event.id}>
                <td>
                  <div className="clamp">{event.name}</div>
                  <div className="muted small mono clamp" title={event.id}>
                    {event.id.length > 24 ? `${event.id.slice(0, 24)}…` : event.id}
                  </div>
                </td>
                <td>{event.source}</td>
                <td>
                  <span className={OUTCOME_TAG[event.outcome]}>{event.outcome}</span>
                  {event.reason && <div className="muted small error-cell">{event.reason}</div>}
                </td>
                <td>
                  {event.runs.length === 0
                    ? '–'
                    : event.runs.map((run) => (
                        <div key={run.runId}>
                          <Link to={`/runs/${run.runId}`} className="mono" title={run.runId}>
                            {shortId(run.runId)}
                          </Link>{' '}
                          <span className="muted small">{run.workflow}</span>
                        </div>
                      ))}
                </td>
                <td>
                  <TimeText iso={event.receivedAt} now={now} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!events.data && !events.error && <div className="skeleton-table" aria-busy="true" />}
      <Pager {...pages.pagerProps(events.data?.nextCursor)} />
    </div>
  );
}
