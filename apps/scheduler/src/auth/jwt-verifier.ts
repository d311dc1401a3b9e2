import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { JwtConfig } from '../config/scheduler-config';
import { Forbidden, Unauthorized } from './auth-errors';
import { ALL_NAMESPACES, type Principal } from './principal';
import { isRole, ROLES } from './role';

/** Keys fetched from the JWKS URL are kept this long; an unknown `kid` refetches sooner (after the cooldown). */
const JWKS_CACHE_MAX_AGE_MS = 10 * 60_000;
const JWKS_COOLDOWN_MS = 30_000;
const JWKS_TIMEOUT_MS = 5_000;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Single sign-on: a JWT signed with the shared HS256 secret, or with an
 * RS256/ES256 key from the identity provider's JWKS. The role and the
 * namespaces come from claims; `*` among the namespaces means every one, and a
 * token without the claim sees the `default` namespace only.
 */
export class JwtVerifier {
  private readonly verifySignature: (token: string) => Promise<JWTPayload>;

  constructor(private readonly config: JwtConfig) {
    // A JWT without an expiry would be a password that never changes: `exp` is required.
    const claims = { issuer: config.issuer, audience: config.audience, requiredClaims: ['exp'] };
    if (config.secret) {
      const secret = new TextEncoder().encode(config.secret);
      this.verifySignature = async (token) => (await jwtVerify(token, secret, { ...claims, algorithms: ['HS256'] })).payload;
    } else {
      const keys = createRemoteJWKSet(new URL(config.jwksUrl!), {
        cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
        cooldownDuration: JWKS_COOLDOWN_MS,
        timeoutDuration: JWKS_TIMEOUT_MS,
      });
      this.verifySignature = async (token) => (await jwtVerify(token, keys, { ...claims, algorithms: ['RS256', 'ES256'] })).payload;
    }
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      payload = await this.verifySignature(token);
    } catch (error) {
      throw new Unauthorized(`invalid JWT: ${describe(error)}`);
    }
    const role = payload[this.config.roleClaim];
    if (!isRole(role)) throw new Forbidden(`the JWT's "${this.config.roleClaim}" claim is not one of ${ROLES.join(', ')}`);
    return {
      actor: `jwt:${typeof payload.sub === 'string' ? payload.sub : 'unknown'}`,
      tokenId: null,
      role,
      namespaces: this.namespacesOf(payload[this.config.namespacesClaim]),
    };
  }

  private namespacesOf(claim: unknown): Principal['namespaces'] {
    if (claim === undefined) return ['default'];
    const list = typeof claim === 'string' ? claim.split(/[\s,]+/).filter(Boolean) : claim;
    if (!Array.isArray(list) || !list.every((item): item is string => typeof item === 'string'))
      throw new Forbidden(`the JWT's "${this.config.namespacesClaim}" claim must be a list of namespaces`);
    if (list.includes('*')) return ALL_NAMESPACES;
    return list.filter((name) => NAMESPACE.test(name));
  }
}

/** jose's messages say what failed (`"exp" claim timestamp check failed`) without echoing the token. */
function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_JWT_EXPIRED') return 'expired';
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return 'signature does not verify';
  if (code === 'ERR_JWKS_NO_MATCHING_KEY') return 'no key of the JWKS matches';
  // The identity provider's keys could not be read: refused all the same, never let through.
  if (code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JOSE_GENERIC') return `the JWKS could not be read (${(error as Error).message})`;
  return error instanceof Error ? error.message : 'malformed';
}
