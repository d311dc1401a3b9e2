import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client';
import type { Run, Task, TaskError } from '@flowctl/api-contract';
import type { Attempt } from '../model/attempts';
import { isActive, isTerminalRun, isTerminalTask } from '../model/status';
import { durationBetween, formatDuration, formatTimestamp } from '../model/time-format';
import { ConfirmDialog } from './confirm-dialog';
import { JsonView } from './json-view';
import { LogView } from './log-view';
import { StatusBadge } from './status-badge';
import { TimeText } from './time-text';

/** While a task runs, its row is re-read this often: heartbeat details change without an event. */
const RUNNING_REFRESH_MS = 4_000;

export function ErrorDetails({ error }: { error: TaskError }) {
  return (
    <div className="task-error" data-testid="task-error">
      <div className="task-error-head">
        <span className="tag danger">{error.type}</span>
        {error.nonRetryable && <span className="tag">non-retryable</span>}
      </div>
      <div className="task-error-message">{error.message}</div>
      {error.stack && (
        <details open>
          <summary>Stack</summary>
          <pre className="code-block stack" tabIndex={0}>
            {error.stack}
          </pre>
        </details>
      )}
      {error.details !== undefined && error.details !== null && (
        <details>
          <summary>Details</summary>
          <JsonView value={error.details} />
        </details>
      )}
    </div>
  );
}

function AttemptsTable({ attempts, now }: { attempts: Attempt[]; now: number }) {
  if (attempts.length === 0) return <div className="muted small">No attempt yet.</div>;
  return (
    <table className="table compact attempts">
      <thead>
        <tr>
          <th>#</th>
          <th>Outcome</th>
          <th>Worker</th>
          <th>Started</th>
          <th>Ran</th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((attempt) => (
          <tr key={attempt.attempt}>
            <td>{attempt.attempt}</td>
            <td>
              <StatusBadge status={attempt.outcome} compact />
              {attempt.error && <div className="small muted clamp">{attempt.error.message}</div>}
            </td>
            <td className="mono small clamp" title={attempt.workerId}>
              {attempt.waitingForApproval ? 'approval' : (attempt.workerId ?? '–')}
            </td>
            <td className="small" title={`queued ${formatTimestamp(attempt.queuedAt)}`}>
              {attempt.startedAt ? formatTimestamp(attempt.startedAt).slice(11) : 'queued'}
            </td>
            <td className="num small">
              {attempt.startedAt ? formatDuration(durationBetween(attempt.startedAt, attempt.finishedAt, now) ?? 0) : '–'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export interface TaskPanelProps {
  run: Run;
  /** The task as the live stream has it (status, attempt); its full row is read from the API. */
  task: Task;
  attempts: Attempt[];
  /** Bumps when the stream saw a change of this task: the panel then re-reads it. */
  version: number;
  /** Whether the live run holds this task; an instance of a counted fan-out is not held, and its row says its status. */
  held?: boolean;
  now: number;
  onClose: () => void;
  /** Which view of the task is open: its details or its log (`?tab=logs`). */
  tab?: TaskPanelTab;
  /** The address of each view, so the tabs are links that can be shared. */
  tabHref?: (tab: TaskPanelTab) => string;
}

export type TaskPanelTab = 'details' | 'logs';

/** Everything about one task beside the graph: error first, then input, output, heartbeat and attempts. */
export function TaskPanel({ run, task: streamed, attempts, version, held = true, now, onClose, tab = 'details', tabHref }: TaskPanelProps) {
  const [row, setRow] = useState<Task>();
  const [decision, setDecision] = useState<'approve' | 'reject'>();
  const task = held || !row || row.name !== streamed.name ? streamed : row;
  const running = isActive(task.status);

  useEffect(() => {
    const controller = new AbortController();
    const read = () =>
      api.getTask(run.id, task.name, controller.signal).then(
        (fresh) => setRow(fresh),
        () => undefined,
      );
    void read();
    const timer = running ? setInterval(read, RUNNING_REFRESH_MS) : undefined;
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [run.id, task.name, version, running]);

  // The stream's status is the freshest; the row adds input, output, error and heartbeat.
  const shown: Task = row && row.name === task.name ? { ...row, status: task.status, attempt: Math.max(row.attempt, task.attempt) } : task;
  const waitingForApproval = task.type === 'approval' && task.status === 'running' && !isTerminalRun(run.status);

  return (
    <aside className="side-panel" aria-label={`Task ${task.name}`} data-testid="task-panel">
      <header className="side-panel-header">
        <div>
          <div className="eyebrow">Task</div>
          <h2 className="side-panel-title">{task.name}</h2>
          <div className="side-panel-meta">
            <StatusBadge status={task.status} />
            <span className="tag">{shown.type || 'task'}</span>
            {shown.attempt > 0 && <span className="muted small">attempt {shown.attempt}</span>}
          </div>
        </div>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close task details">
          ×
        </button>
      </header>

      {tabHref && (
        <nav className="tabs panel-tabs" aria-label="Task views">
          {(['details', 'logs'] as const).map((name) => (
            <Link
              key={name}
              to={tabHref(name)}
              replace
              className={`tab${tab === name ? ' active' : ''}`}
              aria-current={tab === name ? 'page' : undefined}
              data-testid={`task-tab-${name}`}
            >
              {name === 'details' ? 'Details' : 'Logs'}
            </Link>
          ))}
        </nav>
      )}

      {tab === 'logs' ? (
        <div className="side-panel-body logs">
          <LogView
            runId={run.id}
            task={task.name}
            latestAttempt={shown.attempt}
            active={!isTerminalTask(task.status)}
            attempts={attempts}
          />
        </div>
      ) : (
        <div className="side-panel-body" tabIndex={0}>
          {waitingForApproval && (
            <section className="panel-section approval">
              <div>{(shown.input as { message?: string } | null)?.message ?? 'This step waits for a decision.'}</div>
              <div className="row-actions">
                <button type="button" className="button primary" onClick={() => setDecision('approve')}>
                  Approve
                </button>
                <button type="button" className="button danger" onClick={() => setDecision('reject')}>
                  Reject
                </button>
              </div>
            </section>
          )}
          {task.status === 'dead' && (
            <section className="panel-section notice">
              Retries are exhausted: this task waits in the dead-letter queue.{' '}
              <Link to={`/dead-letters?workflow=${encodeURIComponent(run.workflow)}&run=${run.id}`}>Requeue it from dead letters</Link>
            </section>
          )}
          {shown.error && (
            <section className="panel-section">
              <h3>Error</h3>
              <ErrorDetails error={shown.error} />
            </section>
          )}
          <section className="panel-section">
            <h3>Times</h3>
            <dl className="facts">
              <dt>Queued</dt>
              <dd>{formatTimestamp(shown.queuedAt)}</dd>
              <dt>Started</dt>
              <dd>{formatTimestamp(shown.startedAt)}</dd>
              <dt>Finished</dt>
              <dd>{formatTimestamp(shown.finishedAt)}</dd>
              <dt>Ran</dt>
              <dd>{shown.startedAt ? formatDuration(durationBetween(shown.startedAt, shown.finishedAt, now) ?? 0) : '–'}</dd>
              {shown.retryAt && (
                <>
                  <dt>Next attempt</dt>
                  <dd>
                    <TimeText iso={shown.retryAt} now={now} />
                  </dd>
                </>
              )}
              <dt>Worker</dt>
              <dd className="mono">{shown.workerId ?? '–'}</dd>
            </dl>
          </section>
          <section className="panel-section">
            <h3>Input</h3>
            <JsonView value={shown.input} empty={task.status === 'pending' ? 'resolved when the task is queued' : 'none'} maxHeight={260} />
          </section>
          <section className="panel-section">
            <h3>Output</h3>
            <JsonView value={shown.output} empty={task.status === 'succeeded' ? 'none' : 'not yet'} maxHeight={260} />
          </section>
          {(shown.heartbeatAt || shown.heartbeatDetails !== null) && (
            <section className="panel-section">
              <h3>
                Latest heartbeat{' '}
                <span className="muted small">{shown.heartbeatAt ? <TimeText iso={shown.heartbeatAt} now={now} /> : null}</span>
              </h3>
              <JsonView value={shown.heartbeatDetails} empty="no details" maxHeight={200} />
            </section>
          )}
          <section className="panel-section">
            <h3>Attempts</h3>
            <AttemptsTable attempts={attempts} now={now} />
          </section>
        </div>
      )}

      {decision && (
        <ConfirmDialog
          title={`${decision === 'approve' ? 'Approve' : 'Reject'} ${task.name}?`}
          confirmLabel={decision === 'approve' ? 'Approve' : 'Reject'}
          tone={decision === 'approve' ? 'primary' : 'danger'}
          onClose={() => setDecision(undefined)}
          onConfirm={() => (decision === 'approve' ? api.approveTask(run.id, task.name) : api.rejectTask(run.id, task.name))}
        >
          {decision === 'approve'
            ? 'The run goes on past this step.'
            : 'The step fails (not retried) and the run follows its trigger rules.'}
        </ConfirmDialog>
      )}
    </aside>
  );
}
