import { useMemo, useState } from 'react';
import { Link, NavLink, useNavigate, useParams, useSearchParams } from 'react-router';
import { api } from '../api/client';
import type { Workflow, WorkflowVersion } from '@flowctl/api-contract';
import { DagView } from '../components/dag-view';
import { DiffView } from '../components/diff-view';
import { EmptyState } from '../components/empty-state';
import { ErrorNotice } from '../components/error-notice';
import { StartRunDialog } from '../components/start-run-dialog';
import { TimeText } from '../components/time-text';
import { YamlView } from '../components/yaml-view';
import { buildDag } from '../graph/dag-model';
import { useNow } from '../hooks/use-now';
import { useResource } from '../hooks/use-resource';
import { RunsTable } from './runs-page';

type Tab = 'overview' | 'definition' | 'versions';

/** What a version shows as its text: the YAML it was applied as, else its definition as JSON (valid YAML too). */
export const versionText = (version: Pick<WorkflowVersion, 'source' | 'definition'>): string =>
  version.source ?? JSON.stringify(version.definition, null, 2);

function Overview({ workflow }: { workflow: Workflow }) {
  const now = useNow(5_000);
  const model = useMemo(() => buildDag({ definition: workflow.definition?.spec.tasks ?? workflow.spec?.tasks ?? [] }), [workflow]);
  const runs = useResource(
    (signal) => api.listRuns({ workflow: workflow.name, limit: 10 }, signal),
    `${workflow.namespace}/${workflow.name}`,
    { refreshMs: 10_000 },
  );
  const inputs = Object.entries(workflow.spec?.inputs ?? {});
  return (
    <div className="overview-grid">
      <section className="card graph-card workflow-graph" aria-label="Graph">
        <DagView model={model} />
      </section>
      <section className="card">
        <div className="card-header">
          <h2>Inputs</h2>
        </div>
        {inputs.length === 0 ? (
          <p className="muted">None declared.</p>
        ) : (
          <table className="table compact">
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th>Default</th>
              </tr>
            </thead>
            <tbody>
              {inputs.map(([name, input]) => (
                <tr key={name}>
                  <td className="mono">{name}</td>
                  <td>{input.type}</td>
                  <td className="mono clamp">
                    {input.default === undefined ? <span className="muted">required</span> : JSON.stringify(input.default)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card wide">
        <div className="card-header">
          <h2>Recent runs</h2>
          <Link to={`/runs?workflow=${encodeURIComponent(workflow.name)}`} className="small">
            All runs of {workflow.name} →
          </Link>
        </div>
        {runs.data && runs.data.items.length === 0 && <p className="muted">No runs yet. Start one with the button above.</p>}
        {runs.data && runs.data.items.length > 0 && <RunsTable runs={runs.data.items} now={now} showWorkflow={false} />}
      </section>
    </div>
  );
}

function Definition({ workflow }: { workflow: Workflow }) {
  const [search, setSearch] = useSearchParams();
  const wanted = Number(search.get('version') ?? workflow.version);
  const version = useResource(
    (signal) => api.getWorkflowVersion(workflow.name, wanted, workflow.namespace, signal),
    `${workflow.name}@${wanted}`,
  );
  return (
    <section className="card">
      <div className="card-header">
        <h2>Definition</h2>
        <label className="field inline">
          <span>Version</span>
          <select
            value={wanted}
            onChange={(event) => {
              const next = new URLSearchParams(search);
              next.set('version', event.target.value);
              setSearch(next);
            }}
          >
            {[...workflow.versions].reverse().map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}
                {v.version === workflow.version ? ' (current)' : ''}
              </option>
            ))}
          </select>
        </label>
      </div>
      {version.error && <ErrorNotice error={version.error} />}
      {version.data && <YamlView source={versionText(version.data)} />}
    </section>
  );
}

function Versions({ workflow }: { workflow: Workflow }) {
  const [search, setSearch] = useSearchParams();
  const numbers = workflow.versions.map((v) => v.version).sort((a, b) => a - b);
  const to = Number(search.get('to') ?? numbers[numbers.length - 1] ?? workflow.version);
  const from = Number(search.get('from') ?? numbers[numbers.length - 2] ?? to);
  const pair = useResource(
    (signal) =>
      Promise.all([
        api.getWorkflowVersion(workflow.name, from, workflow.namespace, signal),
        api.getWorkflowVersion(workflow.name, to, workflow.namespace, signal),
      ]),
    `${workflow.name}:${from}..${to}`,
  );
  const pick = (name: 'from' | 'to', value: string) => {
    const next = new URLSearchParams(search);
    next.set(name, value);
    setSearch(next);
  };
  return (
    <div className="stack">
      <section className="card">
        <div className="card-header">
          <h2>Versions</h2>
          <span className="muted small">Applying changed content makes a new version; runs keep the version they started with.</span>
        </div>
        <table className="table compact">
          <thead>
            <tr>
              <th>Version</th>
              <th>Content hash</th>
              <th>Applied</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {[...workflow.versions].reverse().map((v) => (
              <tr key={v.version}>
                <td>
                  v{v.version} {v.version === workflow.version && <span className="tag good">current</span>}
                </td>
                <td className="mono small">{v.contentHash.slice(0, 12)}</td>
                <td>
                  <TimeText iso={v.createdAt} />
                </td>
                <td>
                  <Link to={`/workflows/${encodeURIComponent(workflow.name)}/definition?version=${v.version}`} className="small">
                    View YAML
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card">
        <div className="card-header">
          <h2>Compare</h2>
          <div className="toolbar tight">
            <select aria-label="Older version" value={from} onChange={(event) => pick('from', event.target.value)} data-testid="diff-from">
              {numbers.map((n) => (
                <option key={n} value={n}>
                  v{n}
                </option>
              ))}
            </select>
            <span className="muted">→</span>
            <select aria-label="Newer version" value={to} onChange={(event) => pick('to', event.target.value)} data-testid="diff-to">
              {numbers.map((n) => (
                <option key={n} value={n}>
                  v{n}
                </option>
              ))}
            </select>
          </div>
        </div>
        {numbers.length < 2 && <p className="muted">Only one version so far. Apply a changed definition to compare versions here.</p>}
        {pair.error && <ErrorNotice error={pair.error} />}
        {pair.data && numbers.length >= 2 && (
          <DiffView before={versionText(pair.data[0])} after={versionText(pair.data[1])} beforeLabel={`v${from}`} afterLabel={`v${to}`} />
        )}
      </section>
    </div>
  );
}

export function WorkflowPage({ tab }: { tab: Tab }) {
  const { name = '' } = useParams();
  const [search] = useSearchParams();
  const namespace = search.get('namespace') ?? undefined;
  const navigate = useNavigate();
  const [starting, setStarting] = useState(false);
  const workflow = useResource((signal) => api.getWorkflow(name, namespace, signal), `${namespace}/${name}`);
  const base = `/workflows/${encodeURIComponent(name)}`;
  const suffix = namespace ? `?namespace=${namespace}` : '';

  if (workflow.error) {
    return (
      <div className="page">
        {workflow.error.isNotFound ? (
          <EmptyState
            title={`No workflow named ${name}`}
            action={
              <Link to="/workflows" className="button">
                All workflows
              </Link>
            }
          >
            It may have been deleted; its runs keep their history under <Link to={`/runs?workflow=${encodeURIComponent(name)}`}>Runs</Link>.
          </EmptyState>
        ) : (
          <ErrorNotice error={workflow.error} onRetry={workflow.reload} title="Could not load the workflow" />
        )}
      </div>
    );
  }
  const data = workflow.data;
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <nav className="breadcrumbs" aria-label="Breadcrumbs">
            <Link to="/workflows">Workflows</Link>
            <span>/</span>
          </nav>
          <h1>{name}</h1>
          <div className="run-facts">
            {data ? (
              <>
                <span>
                  v{data.version} · {data.namespace}
                </span>
                <span>{data.spec?.tasks.length ?? 0} tasks</span>
                {data.spec?.schedule && <span className="mono">cron {data.spec.schedule.cron}</span>}
                {Object.entries(data.labels ?? {}).map(([key, value]) => (
                  <span className="tag" key={key}>
                    {key}={value}
                  </span>
                ))}
              </>
            ) : (
              <span className="skeleton-text wide" />
            )}
          </div>
        </div>
        <div className="header-actions">
          <button type="button" className="button primary" disabled={!data} onClick={() => setStarting(true)} data-testid="start-run">
            Start run
          </button>
        </div>
      </header>
      <nav className="tabs" aria-label="Workflow sections">
        <NavLink end to={`${base}${suffix}`} className={() => `tab${tab === 'overview' ? ' active' : ''}`}>
          Overview
        </NavLink>
        <NavLink to={`${base}/definition${suffix}`} className={() => `tab${tab === 'definition' ? ' active' : ''}`}>
          YAML
        </NavLink>
        <NavLink to={`${base}/versions${suffix}`} className={() => `tab${tab === 'versions' ? ' active' : ''}`}>
          Versions {data ? <span className="count">{data.versions.length}</span> : null}
        </NavLink>
      </nav>
      {data && tab === 'overview' && <Overview workflow={data} />}
      {data && tab === 'definition' && <Definition workflow={data} />}
      {data && tab === 'versions' && <Versions workflow={data} />}
      {!data && <div className="skeleton-table" aria-busy="true" />}
      {starting && data && (
        <StartRunDialog workflow={data} onClose={() => setStarting(false)} onStarted={(run) => navigate(`/runs/${run.id}`)} />
      )}
    </div>
  );
}
