import { Inject, Injectable } from '@nestjs/common';
import { sanitizeLogMessage } from '@flowctl/core';
import { TaskLogRepository, type NewTaskLogLine, type Queryable, type TaskLogBatch } from '@flowctl/persistence';
import type { ResultMessage } from '@flowctl/queue';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../../config/scheduler-config';

export type LogsMessage = Extract<ResultMessage, { kind: 'logs' }>;

/** What a stored line says when its sender could not ship some lines before it. */
export function droppedBySenderNote(dropped: number): string {
  return `${dropped} lines dropped by the worker before this one: its log buffer was full`;
}

/**
 * Stores the log lines workers send, in the transaction it is given (RecordResultsUseCase decides which).
 * Lines are made storable here whatever the sender did (see sanitizeLogMessage), so a hostile worker
 * cannot make a batch, or the outcomes that share its transaction, fail.
 */
@Injectable()
export class StoreTaskLogsUseCase {
  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly taskLogs: TaskLogRepository,
  ) {}

  async write(tx: Queryable, messages: readonly LogsMessage[]): Promise<void> {
    const batches = messages.map(toBatch).filter((batch) => batch.lines.length > 0);
    if (batches.length > 0) await this.taskLogs.append(tx, batches, this.config.taskLogLimitBytes);
  }
}

function toBatch(message: LogsMessage): TaskLogBatch {
  const lines: NewTaskLogLine[] = [];
  const at = parseTime(message.at, Date.now());
  const dropped = Number.isSafeInteger(message.dropped) ? message.dropped! : 0;
  if (dropped > 0) lines.push(storable(at, 'warn', 'system', droppedBySenderNote(dropped)));
  for (const line of message.lines) lines.push(storable(parseTime(line.ts, at), line.level, line.stream, line.message));
  return { runId: message.runId, taskRunId: message.taskRunId, attempt: message.attempt, lines };
}

function storable(ts: number, level: NewTaskLogLine['level'], stream: NewTaskLogLine['stream'], text: string): NewTaskLogLine {
  const { message, bytes } = sanitizeLogMessage(text);
  return { ts, level, stream, message, bytes };
}

let lastTimeText = '';
let lastTimeMs = NaN;

/** Epoch milliseconds. */
function parseTime(text: string, fallback: number): number {
  // A worker stamps its lines to the millisecond: most lines of a message share their neighbour's text.
  if (text !== lastTimeText) {
    lastTimeText = text;
    lastTimeMs = Date.parse(text);
  }
  const ms = lastTimeMs;
  // Years past 9999 or before 1 are not kept: the sender's clock is not trusted that far.
  return Number.isFinite(ms) && ms > -62135596800000 && ms < 253402300800000 ? ms : fallback;
}
