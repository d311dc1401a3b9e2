import { useEffect, useState } from 'react';
import type { NotificationDelivery } from '@flowctl/api-contract';
import { api } from '../api/client';
import { useResource } from '../hooks/use-resource';
import type { AnyStatus } from '../model/status';
import { ErrorNotice } from './error-notice';
import { statusStyle } from './status-badge';
import { TimeText } from './time-text';

/** While a delivery waits for its next attempt, the card looks again this often. */
const PENDING_REFRESH_MS = 2_000;

const EVENT_LABELS: Record<NotificationDelivery['event'], string> = {
  succeeded: 'run succeeded',
  failed: 'run failed',
  cancelled: 'run cancelled',
  timed_out: 'run timed out',
  dead_letter: 'dead letter',
};

/** A delivery's state in the status palette: delivered reads as success; waiting as queued (the darkest calm tone, readable as text). */
function deliveryTone(delivery: NotificationDelivery): AnyStatus {
  if (delivery.status === 'delivered') return 'succeeded';
  if (delivery.status === 'failed') return 'failed';
  return 'queued';
}

function lastAnswer(delivery: NotificationDelivery): string {
  const last = delivery.attempts.at(-1);
  if (!last) return 'not sent yet';
  return last.statusCode !== null ? `HTTP ${last.statusCode} in ${last.durationMs} ms` : (last.error ?? 'no answer');
}

/**
 * The run's notification deliveries (spec.notify): where each went, how it stands and what the
 * receiver answered to every attempt. Shown only for a workflow with notify; `runStatus` in the key
 * fetches again when the run ends.
 */
export function NotificationsCard({ runId, runStatus, now }: { runId: string; runStatus: string; now: number }) {
  const [refreshMs, setRefreshMs] = useState<number>();
  const deliveries = useResource((signal) => api.listRunNotifications(runId, signal), `${runId}:${runStatus}`, { refreshMs });
  const items = deliveries.data?.items ?? [];
  const pending = items.some((delivery) => delivery.status === 'pending');
  useEffect(() => setRefreshMs(pending ? PENDING_REFRESH_MS : undefined), [pending]);
  return (
    <section className="card notifications-card" aria-labelledby="notifications-heading" data-testid="notifications">
      <div className="card-header">
        <h2 id="notifications-heading">Notifications</h2>
      </div>
      {deliveries.error && <ErrorNotice error={deliveries.error} title="Could not load the notifications" />}
      {!deliveries.error && items.length === 0 && (
        <p className="muted small">{deliveries.loading ? 'Loading…' : 'Nothing sent yet: a webhook is told when the run ends.'}</p>
      )}
      {items.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Event</th>
              <th>Destination</th>
              <th>Status</th>
              <th className="num">Attempts</th>
              <th>Last answer</th>
            </tr>
          </thead>
          <tbody>
            {items.map((delivery) => (
              <tr key={delivery.id} data-delivery={delivery.id} data-status={delivery.status}>
                <td>
                  {EVENT_LABELS[delivery.event]}
                  {delivery.deadTask && <div className="muted small">task {delivery.deadTask.task}</div>}
                </td>
                <td>
                  <span className="mono clamp" title={delivery.destination}>
                    {delivery.destination}
                  </span>
                  <div className="muted small">
                    {delivery.format}
                    {delivery.signed ? ', signed' : ''}
                  </div>
                </td>
                <td>
                  <span className="status-badge" style={statusStyle(deliveryTone(delivery))}>
                    <span className="status-dot" aria-hidden="true" />
                    {delivery.status}
                  </span>
                  {delivery.nextAttemptAt && (
                    <div className="muted small">
                      next <TimeText iso={delivery.nextAttemptAt} now={now} />
                    </div>
                  )}
                </td>
                <td className="num">{delivery.attempts.length}</td>
                <td>
                  <details>
                    <summary className="clamp">{lastAnswer(delivery)}</summary>
                    <ol className="notification-attempts">
                      {delivery.attempts.map((attempt) => (
                        <li key={attempt.attempt}>
                          <TimeText iso={attempt.startedAt} now={now} />:{' '}
                          {attempt.statusCode !== null ? `HTTP ${attempt.statusCode}` : 'no answer'} ({attempt.durationMs} ms)
                          {attempt.error ? ` · ${attempt.error}` : ''}
                          {attempt.response ? <div className="mono small">{attempt.response}</div> : null}
                        </li>
                      ))}
                    </ol>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
