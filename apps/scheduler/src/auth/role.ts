import type { TokenRole } from '@flowctl/persistence';

export type Role = TokenRole;

/** Each role can do everything the ones before it can. */
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

export const hasRole = (held: Role, required: Role): boolean => ROLES.indexOf(held) >= ROLES.indexOf(required);
