import type { TokenRole } from '@flowctl/persistence';

export type Role = TokenRole;

/** Every role a token or a JWT may carry. */
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin', 'worker', 'emitter'];

/** Each of these can do everything the ones before it can. */
const RANKED: readonly Role[] = ['viewer', 'operator', 'admin'];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** Roles for machines, outside the ranking: each may do its one job (which operators and admins may do too) and nothing else. */
const SINGLE_PURPOSE: readonly Role[] = ['worker', 'emitter'];

/**
 * `worker` may use the worker routes, `emitter` may send events to its
 * namespaces, and neither anything else, not even a viewer's reads.
 */
export const hasRole = (held: Role, required: Role): boolean => {
  if (SINGLE_PURPOSE.includes(required)) return held === required || held === 'operator' || held === 'admin';
  if (SINGLE_PURPOSE.includes(held)) return false;
  return RANKED.indexOf(held) >= RANKED.indexOf(required);
};
