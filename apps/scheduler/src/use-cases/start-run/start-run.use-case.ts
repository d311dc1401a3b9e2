import { Injectable } from '@nestjs/common';
import { SpanStatusCode } from '@opentelemetry/api';
import { getLogger, isTracingEnabled, traceparentOf, tracer } from '@flowctl/observability';
import {
  AuditLogRepository,
  GroupCommit,
  GroupMayHaveCommitted,
  isFailureBeforeCommit,
  RunRepository,
  type AuditEntry,
  type CommandOutcome,
  type RunRow,
} from '@flowctl/persistence';
import { RunAdvancer } from '../../engine/run-advancer';
import { RunCreator, type NewRunCommand, type NewRunOutcome } from '../../engine/run-creator';
import { TaskDispatcher } from '../../engine/task-dispatcher';
import { TransactionRunner } from '../../engine/transaction-runner';
import { UnitOfWork } from '../../engine/unit-of-work';

/** Who starts a run through the API: the audit row that records the start commits with the run. */
export type StartAudit = Pick<AuditEntry, 'actor' | 'tokenId' | 'action' | 'target' | 'namespace'>;

export type StartRunCommand = Omit<NewRunCommand, 'parent'> & { audit?: StartAudit };

interface QueuedStart {
  command: StartRunCommand;
  /** The trace of the request: the run's first jobs continue it, whichever group carries the start. */
  traceparent?: string;
}

type StartedRun = { run: RunRow; created: boolean };

/**
 * Up to 100 starts share a transaction: a group of that size is still a few statements of a few
 * milliseconds, and two groups in flight let one group's statements overlap the other's commit.
 */
const GROUPS = { maxGroupSize: 100, maxGroupsInFlight: 2 };

/**
 * Creates a run and all its task rows and queues the tasks that depend on
 * nothing. The same idempotency key returns the first run. Starts that arrive
 * together commit together (group commit): one transaction, one insert of
 * the runs, one of their tasks, one fsync; each is answered after that commit.
 */
@Injectable()
export class StartRunUseCase {
  private readonly groups = new GroupCommit<QueuedStart, StartedRun>((starts) => this.startGroup(starts), GROUPS);
  private readonly logger = getLogger(StartRunUseCase.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly runs: RunRepository,
    private readonly creator: RunCreator,
    private readonly advancer: RunAdvancer,
    private readonly dispatcher: TaskDispatcher,
    private readonly auditLog: AuditLogRepository,
  ) {}

  async execute(command: StartRunCommand): Promise<StartedRun> {
    if (!isTracingEnabled()) return this.groups.submit({ command });
    return tracer().startActiveSpan('run create', { attributes: { 'flowctl.workflow': command.workflow } }, async (span) => {
      try {
        const result = await this.groups.submit({ command, traceparent: traceparentOf(span) });
        span.setAttributes({ 'flowctl.run.id': result.run.id, 'flowctl.run.created': result.created });
        return result;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  private async startGroup(starts: readonly QueuedStart[]): Promise<CommandOutcome<StartedRun>[]> {
    let committing = false;
    let outcomes: NewRunOutcome[];
    let uow: UnitOfWork;
    try {
      ({ outcomes, uow } = await this.transactions.run(async (tx) => {
        committing = false;
        const uow = new UnitOfWork(tx);
        const outcomes = await this.creator.createMany(
          uow,
          starts.map((start) => start.command),
        );
        await this.advancer.advance(
          uow,
          [],
          outcomes.flatMap((outcome) => ('refused' in outcome ? [] : outcome.roots)),
        );
        await uow.pending.history(this.auditLog.addStatement(auditRows(starts, outcomes)));
        await this.advancer.flush(uow);
        committing = true;
        return { outcomes, uow };
      }));
    } catch (error) {
      // The group's last writes travel with its COMMIT: one of them failing means the COMMIT never ran.
      throw committing && !isFailureBeforeCommit(error) ? new GroupMayHaveCommitted(error) : error;
    }

    try {
      return await this.afterCommit(starts, outcomes, uow);
    } catch (error) {
      // Committed: a failure from here on must never send the group again.
      throw new GroupMayHaveCommitted(error);
    }
  }

  /** Sends the first tasks and answers each start; a start's own failure here (reading back its run) stays its own. */
  private async afterCommit(
    starts: readonly QueuedStart[],
    outcomes: readonly NewRunOutcome[],
    uow: UnitOfWork,
  ): Promise<CommandOutcome<StartedRun>[]> {
    const queued = new Map<string, number>();
    for (const item of uow.dispatch) queued.set(item.run.id, (queued.get(item.run.id) ?? 0) + 1);
    const traceOfRun = new Map(outcomes.flatMap((outcome, i) => ('refused' in outcome ? [] : [[outcome.run.id, starts[i]!.traceparent]])));
    for (const item of uow.dispatch) item.traceparent ??= traceOfRun.get(item.run.id);
    await this.dispatcher.dispatchCommitted(uow);

    return Promise.all(
      outcomes.map(async (outcome): Promise<CommandOutcome<StartedRun>> => {
        if ('refused' in outcome) return { error: outcome.refused };
        const { run, created } = outcome;
        if (created) this.logger.info({ runId: run.id, workflow: run.workflowName, tasksQueued: queued.get(run.id) ?? 0 }, 'run started');
        // A run that already ended in its first transaction (every task skipped) is read back for its end time.
        const current = uow.runs.get(run.id)?.row ?? run;
        const ended = current.status !== 'running' && current.status !== 'pending';
        if (!created || !ended) return { value: { run: current, created } };
        try {
          return { value: { run: (await this.runs.find(this.transactions.db, run.id)) ?? current, created } };
        } catch (error) {
          return { error };
        }
      }),
    );
  }
}

/** The audit rows of the starts that went through; a refused one is recorded with its error by the API's audit interceptor. */
function auditRows(starts: readonly QueuedStart[], outcomes: readonly NewRunOutcome[]): AuditEntry[] {
  return outcomes.flatMap((outcome, i) => {
    const audit = starts[i]!.command.audit;
    if (!audit || 'refused' in outcome) return [];
    return [
      {
        ...audit,
        namespace: audit.namespace ?? outcome.run.namespace,
        outcome: 'succeeded',
        statusCode: outcome.created ? 201 : 200,
        message: null,
      },
    ];
  });
}
