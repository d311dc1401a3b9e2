import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api } from '../api/client';
import type { Task } from '@flowctl/api-contract';
import { LiveIndicator } from '../components/app-layout';
import { ConfirmDialog } from '../components/confirm-dialog';
import { DagView } from '../components/dag-view';
import { EmptyState } from '../components/empty-state';
import { ErrorNotice } from '../components/error-notice';
import { GroupPanel } from '../components/group-panel';
import { JsonView } from '../components/json-view';
import { NotificationsCard } from '../components/notifications-card';
import { StatusBadge } from '../components/status-badge';
import { TaskPanel, type TaskPanelTab } from '../components/task-panel';
import { TimeText } from '../components/time-text';
import { Timeline } from '../components/timeline';
import { buildDag, taskNodeId, type DagGroupNode } from '../graph/dag-model';
import { useNow } from '../hooks/use-now';
import { useResource } from '../hooks/use-resource';
import { useRunLive } from '../hooks/use-run-live';
import { attemptsByTask } from '../model/attempts';
import { fanOutOf, placeholderTask } from '../model/run-state';
import { shortId } from '../model/run-id';
import { isTerminalRun } from '../model/status';
import { durationBetween, formatDuration, formatTimestamp } from '../model/time-format';

type Action = 'cancel' | 'retry';

/**
 * A run: the graph first (Argo's lesson: everything else opens beside the node
 * you clicked), the timeline of attempts under it. Live over SSE; deep links
 * /runs/:id and /runs/:id/tasks/:name.
 */
export function RunPage() {
  const { id = '', name } = useParams();
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const live = useRunLive(id);
  const { run, tasks, fanOuts, events, touched } = live;
  const terminal = run ? isTerminalRun(run.status) : false;
  const now = useNow(1_000, !terminal);
  const [action, setAction] = useState<Action>();

  const version = useResource(
    (signal) => api.getWorkflowVersion(run!.workflow, run!.version, run!.namespace, signal),
    run ? `${run.namespace}/${run.workflow}@${run.version}` : '',
    { enabled: !!run },
  );
  const trigger = useResource((signal) => api.getRunTrigger(id, signal), id);
  const definition = version.data?.definition.spec.tasks;
  const model = useMemo(() => buildDag({ definition, tasks, fanOuts }), [definition, tasks, fanOuts]);
  const attempts = useMemo(() => attemptsByTask(events), [events]);

  const groupId = search.get('group') ?? undefined;
  const group = groupId
    ? (model.nodes.find((node) => node.id === groupId && node.kind === 'group') as DagGroupNode | undefined)
    : undefined;
  // An instance of a counted fan-out is not held: its panel shows the row it reads.
  const heldTask = name ? tasks.get(name) : undefined;
  const selectedTask: Task | undefined = name ? (heldTask ?? (run ? placeholderTask(name) : undefined)) : undefined;
  const countedParent = name ? fanOutOf(name) : undefined;
  const selectedId = name
    ? (model.nodeIdOf.get(name) ?? (countedParent && fanOuts.has(countedParent) ? taskNodeId(countedParent) : taskNodeId(name)))
    : groupId;

  // The panel's view (`?tab=logs`) stays as another node is clicked, as in Argo.
  const tab: TaskPanelTab = search.get('tab') === 'logs' ? 'logs' : 'details';
  const taskHref = (task: string, view: TaskPanelTab = tab) =>
    `/runs/${id}/tasks/${encodeURIComponent(task)}${view === 'logs' ? '?tab=logs' : ''}`;
  const openTask = (task: string) => navigate(taskHref(task));
  const closePanel = () => navigate(`/runs/${id}`);

  if (live.error && !run) {
    return (
      <div className="page">
        {live.error.isNotFound ? (
          <EmptyState
            title="Run not found"
            action={
              <Link to="/runs" className="button">
                All runs
              </Link>
            }
          >
            There is no run {id}. It may have been started on another cluster, or the link is mistyped.
          </EmptyState>
        ) : (
          <ErrorNotice error={live.error} title="Could not load the run" />
        )}
      </div>
    );
  }

  const panelOpen = Boolean(selectedTask || group);
  return (
    <div className="page run-page">
      <header className="page-header">
        <div className="min-width-0">
          <nav className="breadcrumbs" aria-label="Breadcrumbs">
            <Link to="/runs">Runs</Link>
            <span>/</span>
            {run ? <Link to={`/workflows/${encodeURIComponent(run.workflow)}`}>{run.workflow}</Link> : <span className="skeleton-text" />}
          </nav>
          <h1 className="run-title">
            <span className="mono" title={id}>
              {shortId(id)}
            </span>
            {run && <StatusBadge status={run.status} />}
          </h1>
          <div className="run-facts">
            {run ? (
              <>
                <span>
                  v{run.version} · created <TimeText iso={run.createdAt} now={now} />
                </span>
                <span>{run.startedAt ? formatDuration(durationBetween(run.startedAt, run.finishedAt, now) ?? 0) : 'not started'}</span>
                <span>
                  {run.tasksTotal - run.tasksOpen}/{run.tasksTotal} tasks ended
                </span>
                {trigger.data && (
                  <span data-testid="run-trigger">
                    started by event <Link to={`/events?name=${encodeURIComponent(trigger.data.name)}`}>{trigger.data.name}</Link>{' '}
                    <span className="muted small mono" title={trigger.data.id}>
                      ({trigger.data.source}, {trigger.data.id.length > 24 ? `${trigger.data.id.slice(0, 24)}…` : trigger.data.id})
                    </span>
                  </span>
                )}
                {Object.keys(run.inputs ?? {}).length > 0 && (
                  <details className="inline-details">
                    <summary>inputs</summary>
                    <JsonView value={run.inputs} />
                  </details>
                )}
              </>
            ) : (
              <span className="skeleton-text wide" />
            )}
          </div>
        </div>
        <div className="header-actions">
          <LiveIndicator state={terminal && live.stream === 'live' ? 'live' : live.stream} />
          {run && !terminal && (
            <button type="button" className="button danger" onClick={() => setAction('cancel')} data-testid="cancel-run">
              Cancel run
            </button>
          )}
          {run?.status === 'failed' && (
            <button type="button" className="button primary" onClick={() => setAction('retry')} data-testid="retry-run">
              Retry failed tasks
            </button>
          )}
        </div>
      </header>

      <div className={`run-layout${panelOpen ? ' with-panel' : ''}${selectedTask && tab === 'logs' ? ' with-logs' : ''}`}>
        <section className="card graph-card" aria-label="Graph">
          {run && (version.data || version.error) ? (
            <DagView
              model={model}
              selectedId={selectedId}
              onSelect={(node) => {
                if (node.kind === 'task') openTask(node.name);
                else {
                  const next = new URLSearchParams();
                  next.set('group', node.id);
                  navigate(`/runs/${id}?${next.toString()}`);
                }
              }}
            />
          ) : (
            <div className="graph-loading" aria-busy="true">
              Loading the run…
            </div>
          )}
          {version.error && (
            <div className="graph-note">
              {version.error.isNotFound
                ? 'The workflow version of this run is no longer stored'
                : 'The workflow definition could not be read'}
              : dependencies are not drawn.
            </div>
          )}
        </section>
        {run && selectedTask && (
          <TaskPanel
            key={selectedTask.name}
            run={run}
            task={selectedTask}
            attempts={attempts.get(selectedTask.name) ?? []}
            version={touched.get(selectedTask.name) ?? 0}
            held={heldTask !== undefined}
            now={now}
            onClose={closePanel}
            tab={tab}
            tabHref={(view) => taskHref(selectedTask.name, view)}
          />
        )}
        {run && !selectedTask && group && (
          <GroupPanel
            key={group.id}
            runId={id}
            group={group}
            tasks={tasks}
            onOpen={openTask}
            onClose={() => {
              const next = new URLSearchParams(search);
              next.delete('group');
              setSearch(next);
            }}
          />
        )}
      </div>

      <section className="card timeline-card" aria-label="Timeline">
        <div className="card-header">
          <h2>Timeline</h2>
          <span className="muted small">
            {live.earlierBefore !== null && (
              <button type="button" className="button small" onClick={() => void live.loadEarlier()} data-testid="load-earlier">
                Load earlier events
              </button>
            )}{' '}
            {run ? `${formatTimestamp(run.createdAt)} → ${run.finishedAt ? formatTimestamp(run.finishedAt) : 'now'}` : ''}
          </span>
        </div>
        {run && <Timeline run={run} events={events} tasks={tasks} now={now} selected={name} onSelect={openTask} />}
      </section>

      {run && version.data?.definition.spec.notify && <NotificationsCard runId={run.id} runStatus={run.status} now={now} />}

      {action && run && (
        <ConfirmDialog
          title={action === 'cancel' ? 'Cancel this run?' : 'Retry this run?'}
          confirmLabel={action === 'cancel' ? 'Cancel run' : 'Retry failed tasks'}
          tone={action === 'cancel' ? 'danger' : 'primary'}
          onClose={() => setAction(undefined)}
          onConfirm={() => (action === 'cancel' ? api.cancelRun(run.id) : api.retryRun(run.id))}
        >
          {action === 'cancel'
            ? 'Queued tasks will not start and running ones get their cancellation signal. This cannot be undone.'
            : 'The failed tasks run again with a fresh budget of attempts; tasks that succeeded keep their outputs.'}
        </ConfirmDialog>
      )}
    </div>
  );
}
