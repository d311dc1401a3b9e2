/** How long a token the guard accepted keeps a rate-limit bucket of its own without being seen again. */
const REMEMBER_MS = 10 * 60_000;
/** Bounded: a flood of distinct valid tokens evicts the least recently seen, never grows memory. */
const CAPACITY = 10_000;

/**
 * Bearer tokens the authentication guard accepted lately. The rate limiter runs
 * before the guard (a throttled request costs no lookup), so it cannot tell a
 * real token from an invented one; were every token given its own bucket, a
 * client sending a fresh made-up token each time would never be throttled.
 * Only tokens in here get their own bucket; any other request counts against
 * its address. Tokens are known by their digest (PresentedToken.digest), so
 * the limiter never holds a credential.
 */
export class VerifiedBearers {
  private readonly lastSeen = new Map<string, number>();

  remember(digest: string, now = Date.now()): void {
    // Re-inserted so the Map's order is least recently seen first.
    this.lastSeen.delete(digest);
    this.lastSeen.set(digest, now);
    if (this.lastSeen.size > CAPACITY) this.lastSeen.delete(this.lastSeen.keys().next().value!);
  }

  has(digest: string, now = Date.now()): boolean {
    const seen = this.lastSeen.get(digest);
    if (seen === undefined) return false;
    if (now - seen <= REMEMBER_MS) return true;
    this.lastSeen.delete(digest);
    return false;
  }
}
