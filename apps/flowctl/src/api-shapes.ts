import type * as contract from '@flowctl/api-contract';

export { isRunTerminal, TERMINAL_RUN_STATUSES, type Page, type RunStatus, type ApplyResult } from '@flowctl/api-contract';

/**
 * What the CLI reads of the API's answers: the contract's shapes, with the fields it only displays
 * optional, so that an older or newer server does not break `get` or `describe`. The fields named
 * in `Kept` are the ones a command cannot do without.
 */
type Tolerant<T, Kept extends keyof T> = Pick<T, Kept> & Partial<Omit<T, Kept>>;

/** A task failure as the CLI prints it: the contract's `{type, message, ...}`, or a plain string from an older server. */
export type TaskError = string | Partial<contract.TaskError>;
/** Some older servers nested the workflow as an object. */
type WorkflowField = string | { name?: string; namespace?: string };

export type TaskRun = Omit<Tolerant<contract.Task, 'name' | 'status'>, 'error'> & { error?: TaskError | null };
export type Run = Omit<Tolerant<contract.Run, 'id' | 'status'>, 'workflow'> & {
  workflow?: WorkflowField;
  tasks?: TaskRun[];
  /** GET /runs/:id: the event that started it. */
  event?: contract.TriggeringEvent | null;
};
export type RunEvent = Tolerant<contract.RunEvent, 'type'>;
export type NotificationDelivery = contract.NotificationDelivery;
export type WorkflowSummary = Tolerant<contract.Workflow, 'name'>;
export type Worker = Tolerant<contract.Worker, 'id'>;
export type ApiToken = Tolerant<contract.ApiToken, 'id' | 'name' | 'role' | 'namespaces'>;
export type AuditEntry = contract.AuditEntry;
export type ReceivedEvent = Tolerant<contract.Event, 'id' | 'name'>;
export type DeadLetter = Omit<Tolerant<contract.DeadLetter, 'id'>, 'workflow' | 'error'> & {
  workflow?: WorkflowField;
  error?: TaskError | null;
};

export const workflowNameOf = (workflow: WorkflowField | undefined): string =>
  typeof workflow === 'string' ? workflow : (workflow?.name ?? '');

export const errorMessageOf = (error: TaskError | null | undefined): string => {
  if (error == null) return '';
  if (typeof error === 'string') return error;
  const message = typeof error.message === 'string' ? error.message : JSON.stringify(error);
  return error.type && error.type !== 'Error' ? `${error.type}: ${message}` : message;
};
