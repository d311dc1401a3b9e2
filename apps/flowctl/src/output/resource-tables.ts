import {
  ApiToken,
  AuditEntry,
  DeadLetter,
  ReceivedEvent,
  Run,
  Worker,
  WorkflowSummary,
  errorMessageOf,
  workflowNameOf,
} from '../api-shapes';
import { formatTable, truncate } from './table';
import { formatAge, formatDurationBetween } from './time';

/** How much of an error message fits in a list; `describe run` shows it whole. */
const ERROR_COLUMN_WIDTH = 60;

const text = (value: unknown): string => (value === undefined || value === null || value === '' ? '-' : String(value));

export function workflowsTable(workflows: readonly WorkflowSummary[], now: Date): string {
  return formatTable(
    ['NAME', 'NAMESPACE', 'VERSION', 'UPDATED'],
    workflows.map((workflow) => [
      workflow.name,
      text(workflow.namespace ?? 'default'),
      text(workflow.version),
      formatAge(workflow.updatedAt ?? workflow.createdAt, now),
    ]),
  );
}

export function runsTable(runs: readonly Run[], now: Date): string {
  return formatTable(
    ['ID', 'WORKFLOW', 'STATUS', 'CREATED', 'DURATION'],
    runs.map((run) => [
      run.id,
      text(workflowNameOf(run.workflow)),
      run.status,
      formatAge(run.createdAt, now),
      formatDurationBetween(run.startedAt, run.finishedAt, now),
    ]),
  );
}

export function workersTable(workers: readonly Worker[], now: Date): string {
  return formatTable(
    ['ID', 'TYPES', 'CONCURRENCY', 'STATUS', 'LAST-HEARTBEAT'],
    workers.map((worker) => [
      worker.id,
      text(worker.types?.join(',')),
      text(worker.concurrency),
      text(worker.status),
      formatAge(worker.lastHeartbeatAt, now),
    ]),
  );
}

export function tokensTable(tokens: readonly ApiToken[], now: Date): string {
  return formatTable(
    ['ID', 'NAME', 'ROLE', 'NAMESPACES', 'CREATED', 'EXPIRES', 'LAST-USED', 'REVOKED'],
    tokens.map((token) => [
      token.id,
      token.name,
      token.role,
      text(token.namespaces?.join(',')),
      formatAge(token.createdAt, now),
      text(token.expiresAt),
      formatAge(token.lastUsedAt, now),
      token.revokedAt ? formatAge(token.revokedAt, now) : '-',
    ]),
  );
}

export function auditTable(entries: readonly AuditEntry[], now: Date): string {
  return formatTable(
    ['AT', 'ACTOR', 'ACTION', 'TARGET', 'NAMESPACE', 'OUTCOME'],
    entries.map((entry) => [
      formatAge(entry.at, now),
      entry.actor,
      entry.action,
      text(entry.target),
      text(entry.namespace),
      `${entry.outcome} (${entry.statusCode})`,
    ]),
  );
}

export function deadLettersTable(deadLetters: readonly DeadLetter[], now: Date): string {
  return formatTable(
    ['ID', 'RUN', 'WORKFLOW', 'TASK', 'TYPE', 'ATTEMPT', 'ERROR', 'DEAD-AT'],
    deadLetters.map((deadLetter) => [
      String(deadLetter.id),
      text(deadLetter.runId),
      text(workflowNameOf(deadLetter.workflow)),
      text(deadLetter.task),
      text(deadLetter.type),
      text(deadLetter.attempt),
      text(truncate(errorMessageOf(deadLetter.error), ERROR_COLUMN_WIDTH)),
      formatAge(deadLetter.deadAt, now),
    ]),
  );
}

export function eventsTable(events: readonly ReceivedEvent[], now: Date): string {
  return formatTable(
    ['ID', 'NAME', 'NAMESPACE', 'SOURCE', 'OUTCOME', 'RUNS', 'RECEIVED', 'REASON'],
    events.map((event) => [
      truncate(event.id, 40),
      event.name,
      text(event.namespace),
      text(event.source),
      text(event.outcome),
      text(event.runs?.length),
      formatAge(event.receivedAt, now),
      text(event.reason === null || event.reason === undefined ? undefined : truncate(event.reason, ERROR_COLUMN_WIDTH)),
    ]),
  );
}
