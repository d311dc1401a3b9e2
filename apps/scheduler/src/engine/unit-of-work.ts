import type { SecretSlot, TaskStatus } from '@flowctl/core';
import { PendingWrites, type NewDeadLetter, type NewRunEvent, type Queryable, type RunRow, type TaskRunRow } from '@flowctl/persistence';
import type { CompiledWorkflow } from './compiled-workflow';
import { afterCommit } from './transaction-runner';

/** A task that the transaction put on its way to a queue; sent only after commit. */
export interface DispatchItem {
  taskRunId: string;
  run: RunRow;
  task: string;
  type: string;
  attempt: number;
  input: unknown;
  priority: number;
  timeoutMs?: number;
  heartbeatTimeoutMs?: number;
  lastHeartbeatDetails?: unknown;
  /** Where the worker fills secrets into `input` (which holds only placeholders). */
  secretSlots?: SecretSlot[];
  /** Trace context the dispatch continues (the result that released the task); else the active one. */
  traceparent?: string;
}

/**
 * A `forEach` task whose instances the transaction created queued: they are sent after commit by paging
 * them from PostgreSQL (see TaskDispatcher.sendInstances), never held in memory all at once.
 */
export interface InstancesDispatch {
  run: RunRow;
  parentTaskRunId: string;
  /** Item indexes run from 0 to this, exclusive. */
  instances: number;
  /** Trace context the dispatch continues (the result that released the fan-out task). */
  traceparent?: string;
}

/** Another attempt of a task run that already has its row (a retry, a requeued instance, a lost job): all it needs is there. */
export function dispatchOfRow(run: RunRow, task: TaskRunRow, attempt: number): DispatchItem {
  return {
    taskRunId: task.id,
    run,
    task: task.name,
    type: task.type,
    attempt,
    input: task.input,
    priority: task.priority,
    timeoutMs: task.timeoutMs ?? undefined,
    heartbeatTimeoutMs: task.heartbeatTimeoutMs ?? undefined,
    lastHeartbeatDetails: task.heartbeatDetails ?? undefined,
    secretSlots: task.secretSlots ?? undefined,
  };
}

/** What a transaction changes of one run's task counters (see UnitOfWork.drainClosedTasks). */
export interface OpenTasksDelta {
  runId: string;
  closed: number;
  failed: number;
  added: number;
}

/** A task that just reached a terminal state; its dependents must hear of it. */
export interface SettledTask {
  runId: string;
  taskRunId: string;
  name: string;
  status: TaskStatus;
  /** Set for an instance of a `forEach` task: it reports to its fan-out task, not to dependents. */
  parentTaskRunId?: string | null;
}

/** A task whose trigger rule is met: it is queued unless its `when` says no. */
export interface ReadyTask {
  runId: string;
  taskRunId: string;
  name: string;
  /** The attempt it will run as (1 for a fresh task). */
  attempt: number;
  /** Set when a requeue starts a fresh retry budget. */
  budgetStart?: number;
  lastHeartbeatDetails?: unknown;
}

/**
 * What one engine transaction has decided so far: events to append, tasks to
 * dispatch after commit, and per run how many tasks closed. Collected here and
 * written in bulk at the end, so a batch of N results costs a few statements.
 */
export class UnitOfWork {
  readonly runs = new Map<string, { row: RunRow; workflow: CompiledWorkflow }>();
  readonly events: NewRunEvent[] = [];
  readonly dispatch: DispatchItem[] = [];
  readonly instancesDispatch: InstancesDispatch[] = [];
  readonly deadLetters: NewDeadLetter[] = [];
  readonly closedTasks = new Map<string, { closed: number; failed: number; added: number }>();
  /** Jobs of tasks that stopped (cancelled) while queued or running: their workers are told to abort. */
  readonly abortJobIds: string[] = [];
  /** A retry, timeout or deadline was set: the leader's timer must look again (NOTIFY flowctl_timers). */
  timersChanged = false;
  /** Workflows with spec.concurrency that a run just left: their waiting runs may start. */
  /** Runs that ended in this transaction: a child run's end ends its parent's `workflow` task. */
  readonly finishedRuns: RunRow[] = [];
  /** Tasks that became ready as a side effect (a child run's first tasks), admitted by the next wave. */
  readonly admitQueue: ReadyTask[] = [];
  readonly freedSlots = new Map<string, { namespace: string; workflow: string; limit: number }>();
  /**
   * tasks_open of the runs this transaction locked, as its own writes leave it. Nothing else can
   * change a locked run's counters before the commit, so a count that stays above zero needs no
   * answer from the database: the run cannot have ended.
   */
  readonly lockedOpenTasks = new Map<string, number>();

  /** Writes on their way to the database, carried by the next statement that can take them. */
  readonly pending: PendingWrites;
  /** Every statement sent through this sees the pending writes applied first. */
  readonly tx: Queryable;

  constructor(private readonly transaction: Queryable) {
    this.pending = new PendingWrites(transaction);
    this.tx = this.pending.queryable;
  }

  /**
   * Runs `hook` once the transaction has committed (and never if it rolls back). Registered on the
   * transaction itself: `tx` is a wrapper the transaction runner does not know.
   */
  afterCommit(hook: () => void): void {
    afterCommit(this.transaction, hook);
  }

  run(runId: string): { row: RunRow; workflow: CompiledWorkflow } {
    const run = this.runs.get(runId);
    if (!run) throw new Error(`run ${runId} is not part of this unit of work`);
    return run;
  }

  event(event: NewRunEvent): void {
    this.events.push(event);
  }

  /** Count a transition into (positive) or out of (negative) a terminal state. */
  countClosed(runId: string, closed: number, failed: number): void {
    const counts = this.closedTasks.get(runId) ?? { closed: 0, failed: 0, added: 0 };
    counts.closed += closed;
    counts.failed += failed;
    this.closedTasks.set(runId, counts);
  }

  /** Call when a run stops running (finished, cancelled, timed out). */
  runLeft(runId: string): void {
    const { row, workflow } = this.run(runId);
    const limit = workflow.definition.spec.concurrency;
    if (limit !== undefined)
      this.freedSlots.set(`${row.namespace}/${row.workflowName}`, { namespace: row.namespace, workflow: row.workflowName, limit });
  }

  /** Takes the counted task closures, leaving none. */
  drainClosedTasks(): OpenTasksDelta[] {
    const deltas = [...this.closedTasks]
      .map(([runId, d]) => ({ runId, ...d }))
      .filter((d) => d.closed !== 0 || d.failed !== 0 || d.added !== 0);
    this.closedTasks.clear();
    return deltas;
  }

  /** Count task runs created after the run began (the instances of a fan-out). */
  countAdded(runId: string, added: number): void {
    const counts = this.closedTasks.get(runId) ?? { closed: 0, failed: 0, added: 0 };
    counts.added += added;
    this.closedTasks.set(runId, counts);
  }
}
