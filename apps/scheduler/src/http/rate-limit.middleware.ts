import type { IncomingHttpHeaders } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { TokenBuckets } from './token-bucket';
import { presentedTokenOf } from '../auth/presented-token';
import type { VerifiedBearers } from './verified-bearers';

export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** Probes and scrapes must keep answering while a client is being throttled. */
const EXEMPT_PATHS = new Set(['/api/v1/healthz', '/api/v1/readyz', '/api/v1/metrics']);

interface KeyedRequest {
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string };
  /** Set by the authentication guard once it has verified the caller. */
  principal?: { id?: string };
}

/**
 * Whom a request is counted against: the verified principal when there is one,
 * else a bearer token the guard has accepted lately (by digest: the limiter
 * must never hold a credential), else the client's address. Unverified tokens
 * share their address's bucket, so inventing tokens buys no extra requests.
 * The socket address, not X-Forwarded-For, which any client can write.
 */
export function rateLimitKey(request: KeyedRequest, verified: Pick<VerifiedBearers, 'has'>): string {
  if (request.principal?.id) return `principal:${request.principal.id}`;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  // Hashed once for the request: the authentication guard after this reuses the hash.
  const digest = bearer ? presentedTokenOf(request, bearer).digest : undefined;
  if (digest && verified.has(digest)) return `token:${digest}`;
  return `ip:${request.socket.remoteAddress ?? 'unknown'}`;
}

/** 429 with Retry-After once a client has spent its burst faster than the rate refills it. */
export function rateLimitMiddleware(limit: RateLimit, verified: Pick<VerifiedBearers, 'has'>, now: () => number = Date.now) {
  const buckets = new TokenBuckets(limit.perSecond, limit.burst);
  return (request: Request, response: Response, next: NextFunction) => {
    if (EXEMPT_PATHS.has(request.path)) return next();
    const waitSeconds = buckets.take(rateLimitKey(request, verified), now());
    if (waitSeconds === 0) return next();
    const retryAfter = Math.max(1, Math.ceil(waitSeconds));
    response
      .status(429)
      .setHeader('Retry-After', String(retryAfter))
      .json({
        statusCode: 429,
        error: 'Too Many Requests',
        message: `rate limit of ${limit.perSecond}/s (burst ${limit.burst}) exceeded; retry after ${retryAfter}s`,
      });
  };
}
