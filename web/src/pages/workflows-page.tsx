import { Link } from 'react-router';
import { api } from '../api/client';
import type { Run, WorkflowSummary } from '@flowctl/api-contract';
import { EmptyState } from '../components/empty-state';
import { ErrorNotice } from '../components/error-notice';
import { StatusBadge } from '../components/status-badge';
import { TimeText } from '../components/time-text';
import { useNow } from '../hooks/use-now';
import { useResource } from '../hooks/use-resource';
import { isTerminalRun } from '../model/status';

/** Runs a workflow's success rate is taken over: recent enough to say how it is doing now. */
const RATE_WINDOW = 50;

/** Of the finished runs given, the share that succeeded; undefined when none finished. */
export function successRate(runs: readonly Run[]): { rate: number; finished: number } | undefined {
  const finished = runs.filter((run) => isTerminalRun(run.status));
  if (finished.length === 0) return undefined;
  return { rate: finished.filter((run) => run.status === 'succeeded').length / finished.length, finished: finished.length };
}

function WorkflowRunStats({ workflow, now }: { workflow: WorkflowSummary; now: number }) {
  const runs = useResource(
    (signal) => api.listRuns({ workflow: workflow.name, limit: RATE_WINDOW }, signal),
    `${workflow.namespace}/${workflow.name}`,
    {
      refreshMs: 15_000,
    },
  );
  const last = runs.data?.items[0];
  const rate = runs.data ? successRate(runs.data.items) : undefined;
  if (!runs.data) {
    return (
      <>
        <td>
          <span className="skeleton-text" />
        </td>
        <td />
      </>
    );
  }
  return (
    <>
      <td>
        {last ? (
          <Link to={`/runs/${last.id}`} className="last-run">
            <StatusBadge status={last.status} /> <TimeText iso={last.createdAt} now={now} />
          </Link>
        ) : (
          <span className="muted">never run</span>
        )}
      </td>
      <td className="num">
        {rate ? (
          <span title={`${Math.round(rate.rate * rate.finished)} of the last ${rate.finished} finished runs succeeded`}>
            <span className={`rate ${rate.rate >= 0.95 ? 'good' : rate.rate >= 0.7 ? 'fair' : 'poor'}`}>
              {Math.round(rate.rate * 100)}%
            </span>
          </span>
        ) : (
          <span className="muted">–</span>
        )}
      </td>
    </>
  );
}

export function WorkflowsPage() {
  const workflows = useResource((signal) => api.listWorkflows({ limit: 200 }, signal), 'workflows', { refreshMs: 30_000 });
  const now = useNow(5_000);
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Workflows</h1>
          <p className="page-subtitle">Definitions applied to this cluster, with how their recent runs went.</p>
        </div>
      </header>
      {workflows.error && <ErrorNotice error={workflows.error} onRetry={workflows.reload} title="Could not load workflows" />}
      {workflows.data && workflows.data.items.length === 0 && (
        <EmptyState title="No workflows yet">
          Apply a definition to see it here: <code>npx flowctl apply examples/hello-world.yaml</code> (or <code>PUT /api/v1/workflows</code>{' '}
          with the YAML).
        </EmptyState>
      )}
      {workflows.data && workflows.data.items.length > 0 && (
        <table className="table" data-testid="workflows-table">
          <thead>
            <tr>
              <th>Name</th>
              <th className="col-version">Version</th>
              <th>Labels</th>
              <th className="col-last-run">Last run</th>
              <th className="col-rate" title={`Succeeded share of the last ${RATE_WINDOW} finished runs`}>
                Success
              </th>
              <th className="col-time">Updated</th>
            </tr>
          </thead>
          <tbody>
            {workflows.data.items.map((workflow) => (
              <tr key={`${workflow.namespace}/${workflow.name}`}>
                <td>
                  <Link
                    to={`/workflows/${encodeURIComponent(workflow.name)}${workflow.namespace !== 'default' ? `?namespace=${workflow.namespace}` : ''}`}
                  >
                    {workflow.name}
                  </Link>
                  {workflow.namespace !== 'default' && <span className="muted small"> · {workflow.namespace}</span>}
                </td>
                <td className="num">v{workflow.version}</td>
                <td>
                  {Object.entries(workflow.labels ?? {}).map(([key, value]) => (
                    <span className="tag" key={key}>
                      {key}={value}
                    </span>
                  ))}
                </td>
                <WorkflowRunStats workflow={workflow} now={now} />
                <td>
                  <TimeText iso={workflow.updatedAt} now={now} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!workflows.data && !workflows.error && <div className="skeleton-table" aria-busy="true" />}
    </div>
  );
}
