import { DEFAULT_NAMESPACE, InvalidInput, NotFound, RUN_STATUSES, TASK_STATUSES, type RunStatus, type TaskStatus } from '@flowctl/core';

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function namespaceParam(value: unknown): string {
  if (value === undefined || value === '') return DEFAULT_NAMESPACE;
  if (typeof value !== 'string' || !NAME.test(value) || value.length > 63)
    throw new InvalidInput(`namespace "${String(value)}" is not a valid name`);
  return value;
}

/** A malformed name cannot name anything stored: say so as a 404 rather than query for it. */
export function workflowNameParam(value: string): string {
  if (!NAME.test(value) || value.length > 63) throw new NotFound(`workflow "${value}" not found`);
  return value;
}

export function runIdParam(value: string): string {
  if (!UUID.test(value)) throw new NotFound(`run ${value} not found`);
  return value.toLowerCase();
}

export function runStatusParam(value: unknown): RunStatus | undefined {
  if (value === undefined || value === '') return undefined;
  if (!RUN_STATUSES.includes(value as RunStatus)) throw new InvalidInput(`status must be one of ${RUN_STATUSES.join(', ')}`);
  return value as RunStatus;
}

export function taskStatusParam(value: unknown): TaskStatus | undefined {
  if (value === undefined || value === '') return undefined;
  if (!TASK_STATUSES.includes(value as TaskStatus)) throw new InvalidInput(`status must be one of ${TASK_STATUSES.join(', ')}`);
  return value as TaskStatus;
}

export function optionalString(name: string, value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new InvalidInput(`${name} must be a string`);
  return value;
}
