import type { TokenRole } from '@flowctl/persistence';

export type Role = TokenRole;

/** Every role a token or a JWT may carry. */
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin', 'worker'];

/** Each of these can do everything the ones before it can. */
const RANKED: readonly Role[] = ['viewer', 'operator', 'admin'];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/**
 * `worker` stands outside the ranking: it may use the worker routes (which
 * operators and admins may use too) and nothing else, not even a viewer's reads.
 */
export const hasRole = (held: Role, required: Role): boolean => {
  if (required === 'worker') return held === 'worker' || held === 'operator' || held === 'admin';
  if (held === 'worker') return false;
  return RANKED.indexOf(held) >= RANKED.indexOf(required);
};
