import { DEFAULT_NAMESPACE, InvalidInput, NotFound } from '@flowctl/core';

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
