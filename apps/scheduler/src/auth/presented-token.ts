import { hashToken } from './api-token-secret';

const PRESENTED = Symbol('flowctl:presentedToken');

/**
 * A bearer credential as a request presented it, hashed once. Every check of
 * a request needs the same SHA-256 of it: the rate limiter names the caller's
 * bucket by it, and the authenticator compares it with the admin token's and
 * the API token row's stored hashes. At hundreds of requests a second, four
 * hashes of one string per request were a measurable share of the scheduler.
 */
export class PresentedToken {
  readonly hash: string;

  constructor(readonly secret: string) {
    this.hash = hashToken(secret);
  }

  /** The name the rate limiter and VerifiedBearers know a token by: never the credential itself. */
  get digest(): string {
    return this.hash.slice(0, 32);
  }
}

/** The request's token, hashed on first use and kept on the request for the checks after it. */
export function presentedTokenOf(request: object, secret: string): PresentedToken {
  const holder = request as { [PRESENTED]?: PresentedToken };
  const known = holder[PRESENTED];
  if (known?.secret === secret) return known;
  const presented = new PresentedToken(secret);
  holder[PRESENTED] = presented;
  return presented;
}
