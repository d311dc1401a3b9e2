import { api } from '../api/client';
import type { Worker } from '@flowctl/api-contract';
import { EmptyState } from '../components/empty-state';
import { ErrorNotice } from '../components/error-notice';
import { TimeText } from '../components/time-text';
import { useNow } from '../hooks/use-now';
import { useResource } from '../hooks/use-resource';
import type { AnyStatus } from '../model/status';

const REFRESH_MS = 3_000;

/** Worker states drawn with the task palette: alive is green, draining amber, lost red, stopped grey. */
const WORKER_TONE: Record<string, AnyStatus> = { active: 'succeeded', draining: 'retrying', lost: 'failed', stopped: 'skipped' };

function WorkerStatus({ status }: { status: Worker['status'] }) {
  return (
    <span className="status-badge" style={{ ['--c' as string]: `var(--status-${WORKER_TONE[status] ?? 'pending'})` }}>
      <span className="status-dot" aria-hidden="true" />
      {status}
    </span>
  );
}

export function WorkersPage() {
  const workers = useResource((signal) => api.listWorkers(signal), 'workers', { refreshMs: REFRESH_MS });
  const queues = useResource((signal) => api.listQueues(signal), 'queues', { refreshMs: REFRESH_MS });
  const cluster = useResource((signal) => api.getCluster(signal), 'cluster', { refreshMs: 10_000 });
  const now = useNow(1_000);

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Workers</h1>
          <p className="page-subtitle">Processes serving task types, and how deep each type's queue is. Refreshed every few seconds.</p>
        </div>
      </header>

      <section className="card">
        <div className="card-header">
          <h2>Queues</h2>
          <span className="muted small">per task type</span>
        </div>
        {queues.error && <ErrorNotice error={queues.error} onRetry={queues.reload} />}
        {queues.data && queues.data.items.length === 0 && (
          <p className="muted">No task types yet: queues appear once a worker registers the types it serves.</p>
        )}
        {queues.data && queues.data.items.length > 0 && (
          <table className="table compact" data-testid="queues-table">
            <thead>
              <tr>
                <th>Type</th>
                <th className="num">Waiting</th>
                <th className="num">Running</th>
                <th className="num">Delayed</th>
                <th className="num">Failed</th>
                <th className="num">Workers</th>
              </tr>
            </thead>
            <tbody>
              {queues.data.items.map((queue) => (
                <tr key={queue.type}>
                  <td className="mono">{queue.type}</td>
                  <td className="num">{queue.waiting}</td>
                  <td className="num">{queue.active}</td>
                  <td className="num">{queue.delayed}</td>
                  <td className="num">{queue.failed}</td>
                  <td className="num">
                    {queue.workers === 0 ? (
                      <span className="warn-text" title="Tasks of this type wait until a worker serves it">
                        none
                      </span>
                    ) : (
                      queue.workers
                    )}
                    {queue.error && (
                      <span className="warn-text" title={queue.error}>
                        {' '}
                        ⚠
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="card">
        <div className="card-header">
          <h2>Workers</h2>
          {workers.data && <span className="muted small">{workers.data.items.filter((w) => w.status === 'active').length} active</span>}
        </div>
        {workers.error && <ErrorNotice error={workers.error} onRetry={workers.reload} />}
        {workers.data && workers.data.items.length === 0 && (
          <EmptyState title="No workers registered">
            Tasks wait on their queues until a worker serves their type. Start one with <code>npm run start:worker</code> (types from{' '}
            <code>WORKER_TYPES</code>), or run everything locally with <code>npm run dev</code>.
          </EmptyState>
        )}
        {workers.data && workers.data.items.length > 0 && (
          <table className="table" data-testid="workers-table">
            <thead>
              <tr>
                <th>Worker</th>
                <th>Types</th>
                <th className="num">Running</th>
                <th className="num">Concurrency</th>
                <th className="col-time">Last heartbeat</th>
                <th className="col-status">Status</th>
              </tr>
            </thead>
            <tbody>
              {workers.data.items.map((worker) => (
                <tr key={worker.id}>
                  <td>
                    <div className="mono small clamp" title={worker.id}>
                      {worker.id}
                    </div>
                    <div className="muted small">
                      {worker.host} · v{worker.version}
                    </div>
                  </td>
                  <td>
                    {worker.types.map((type) => (
                      <span className="tag" key={type}>
                        {type}
                      </span>
                    ))}
                  </td>
                  <td className="num">
                    <div className="progress compact" title={`${worker.running} of ${worker.concurrency} slots busy`}>
                      <div className="progress-bar">
                        <span
                          style={{
                            width: `${Math.min(100, (worker.running / Math.max(worker.concurrency, 1)) * 100)}%`,
                            background: 'var(--status-running)',
                          }}
                        />
                      </div>
                      <span className="num small">{worker.running}</span>
                    </div>
                  </td>
                  <td className="num">{worker.concurrency}</td>
                  <td>
                    <TimeText iso={worker.lastHeartbeatAt} now={now} />
                  </td>
                  <td>
                    <WorkerStatus status={worker.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {cluster.data && (
        <section className="card">
          <div className="card-header">
            <h2>Schedulers</h2>
            <span className="muted small">leader: {cluster.data.leader ?? 'none elected'}</span>
          </div>
          <table className="table compact">
            <thead>
              <tr>
                <th>Scheduler</th>
                <th>Role</th>
                <th className="col-time">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {cluster.data.schedulers.map((scheduler) => (
                <tr key={scheduler.id}>
                  <td className="mono small">{scheduler.id}</td>
                  <td>{scheduler.leader ? <span className="tag good">leader</span> : <span className="muted">standby</span>}</td>
                  <td>
                    <TimeText iso={scheduler.lastSeenAt} now={now} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
