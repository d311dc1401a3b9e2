import { rateLimitKey } from './rate-limit.middleware';
import { PresentedToken } from '../auth/presented-token';
import { VerifiedBearers } from './verified-bearers';

const bearerDigest = (token: string) => new PresentedToken(token).digest;

const request = (headers: Record<string, string>, principal?: { id: string }) => ({
  headers,
  socket: { remoteAddress: '10.0.0.9' },
  principal,
});

describe('rateLimitKey', () => {
  it('keys a token the guard accepted by a hash of it, never the token itself', () => {
    const verified = new VerifiedBearers();
    verified.remember(bearerDigest('s3cret-token'));
    const key = rateLimitKey(request({ authorization: 'Bearer s3cret-token' }), verified);
    expect(key).toBe(`token:${bearerDigest('s3cret-token')}`);
    expect(key).not.toContain('s3cret');
    expect(rateLimitKey(request({ authorization: 'bearer s3cret-token' }), verified)).toBe(key);
  });

  it('counts a token nobody has verified against the client address, so invented tokens buy no extra requests', () => {
    const verified = new VerifiedBearers();
    verified.remember(bearerDigest('real'));
    expect(rateLimitKey(request({ authorization: 'Bearer made-up-1' }), verified)).toBe('ip:10.0.0.9');
    expect(rateLimitKey(request({ authorization: 'Bearer made-up-2' }), verified)).toBe('ip:10.0.0.9');
  });

  it('falls back to the client address, ignoring X-Forwarded-For and other schemes', () => {
    const verified = new VerifiedBearers();
    expect(rateLimitKey(request({ 'x-forwarded-for': '1.2.3.4' }), verified)).toBe('ip:10.0.0.9');
    expect(rateLimitKey(request({ authorization: 'Basic dXNlcjpwYXNz' }), verified)).toBe('ip:10.0.0.9');
  });

  it('prefers a verified principal once authentication provides one', () => {
    expect(rateLimitKey(request({ authorization: 'Bearer x' }, { id: 'tok_42' }), new VerifiedBearers())).toBe('principal:tok_42');
  });
});

describe('VerifiedBearers', () => {
  it('forgets a token not seen for ten minutes', () => {
    const verified = new VerifiedBearers();
    verified.remember(bearerDigest('t'), 0);
    expect(verified.has(bearerDigest('t'), 10 * 60_000)).toBe(true);
    expect(verified.has(bearerDigest('t'), 10 * 60_000 + 1)).toBe(false);
  });

  it('holds at most 10,000 tokens, dropping the least recently seen', () => {
    const verified = new VerifiedBearers();
    for (let i = 0; i < 10_000; i++) verified.remember(bearerDigest(`t${i}`), 1);
    verified.remember(bearerDigest('t0'), 2); // seen again: now the most recent
    verified.remember(bearerDigest('one-more'), 3);
    expect(verified.has(bearerDigest('t0'), 4)).toBe(true);
    expect(verified.has(bearerDigest('t1'), 4)).toBe(false);
    expect(verified.has(bearerDigest('one-more'), 4)).toBe(true);
  });
});
