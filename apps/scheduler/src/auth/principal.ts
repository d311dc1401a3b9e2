import type { Role } from './role';

/** Every namespace, present and future: the admin token, unscoped tokens, `*` in a JWT. */
export const ALL_NAMESPACES = 'all' as const;

/** Who sent a request, as the guard established it. */
export interface Principal {
  /** For the audit log: the token's name, the JWT subject, or `anonymous` when no auth is configured. */
  actor: string;
  tokenId: string | null;
  role: Role;
  namespaces: readonly string[] | typeof ALL_NAMESPACES;
}

export const ANONYMOUS_ADMIN: Principal = { actor: 'anonymous', tokenId: null, role: 'admin', namespaces: ALL_NAMESPACES };
