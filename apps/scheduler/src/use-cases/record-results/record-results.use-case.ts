import { Injectable } from '@nestjs/common';
import { ClusterRepository, TaskRunRepository } from '@flowctl/persistence';
import type { ResultMessage } from '@flowctl/queue';
import { TransactionRunner } from '../../engine/transaction-runner';
import { ApplyAttemptsUseCase } from '../apply-attempts/apply-attempts.use-case';
import type { AttemptCommand } from '../apply-attempts/attempt-command';
import { StoreTaskLogsUseCase, type LogsMessage } from '../store-task-logs/store-task-logs.use-case';

/**
 * Takes a batch of worker reports: log lines, worker registrations and
 * heartbeats are stored, and starts and outcomes become attempt commands
 * applied in one transaction (see ApplyAttemptsUseCase).
 */
@Injectable()
export class RecordResultsUseCase {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly taskRuns: TaskRunRepository,
    private readonly cluster: ClusterRepository,
    private readonly applyAttempts: ApplyAttemptsUseCase,
    private readonly storeTaskLogs: StoreTaskLogsUseCase,
  ) {}

  /**
   * Log lines commit no later than the outcomes in the same batch: a worker ships an attempt's last
   * lines ahead of its outcome or inside it, and a reader (the dashboard, `flowctl logs -f`) that sees
   * the attempt end must find every line already stored. With outcomes to apply they go in the engine's
   * transaction, ahead of its locks (one commit for the batch, not two in a row).
   */
  async execute(messages: readonly ResultMessage[]): Promise<void> {
    const logs = messages.flatMap(linesOf);
    await this.recordWorkers(messages);
    await this.applyAttempts.execute(messages.flatMap(commandOf), logs.length > 0 ? (tx) => this.storeTaskLogs.write(tx, logs) : undefined);
  }

  /** Registrations and heartbeats: upserts of their own, outside the engine's transaction. */
  private async recordWorkers(messages: readonly ResultMessage[]): Promise<void> {
    const workers = messages.filter((m): m is Extract<ResultMessage, { kind: 'worker' }> => m.kind === 'worker');
    const heartbeats = messages.filter((m): m is Extract<ResultMessage, { kind: 'heartbeat' }> => m.kind === 'heartbeat');
    if (workers.length > 0) {
      await this.cluster.upsertWorkers(
        this.transactions.db,
        workers.map((m) => ({ ...m.worker, lastHeartbeatAt: new Date(m.at) })),
      );
    }
    if (heartbeats.length > 0) {
      await this.taskRuns.recordHeartbeats(
        this.transactions.db,
        heartbeats.map((m) => ({ id: m.taskRunId, attempt: m.attempt, details: m.details, at: new Date(m.at) })),
      );
    }
  }
}

/** Log lines a report holds: a logs message's, or the last ones an outcome carries (AttemptLogTail). */
function linesOf(message: ResultMessage): LogsMessage[] {
  if (message.kind === 'logs') return [message];
  if ((message.kind !== 'succeeded' && message.kind !== 'failed') || !message.logs) return [];
  const { runId, taskRunId, attempt, workerId, at, logs } = message;
  return [{ kind: 'logs', runId, taskRunId, attempt, workerId, at, lines: logs.lines, ...(logs.dropped ? { dropped: logs.dropped } : {}) }];
}

/** A worker's start or outcome as the attempt command it asks for; other reports ask for none. */
function commandOf(message: ResultMessage): AttemptCommand[] {
  switch (message.kind) {
    case 'started':
      return [{ ...message, kind: 'start' }];
    case 'succeeded':
      return [{ ...message, kind: 'complete' }];
    case 'failed':
      return [{ ...message, kind: 'fail' }];
    default:
      return [];
  }
}
