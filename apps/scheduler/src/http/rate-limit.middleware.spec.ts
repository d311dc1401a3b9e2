import { rateLimitKey } from './rate-limit.middleware';

const request = (headers: Record<string, string>, principal?: { id: string }) => ({
  headers,
  socket: { remoteAddress: '10.0.0.9' },
  principal,
});

describe('rateLimitKey', () => {
  it('keys by a hash of the bearer token, never the token itself', () => {
    const key = rateLimitKey(request({ authorization: 'Bearer s3cret-token' }));
    expect(key).toMatch(/^token:[0-9a-f]{32}$/);
    expect(key).not.toContain('s3cret');
    expect(rateLimitKey(request({ authorization: 'bearer s3cret-token' }))).toBe(key);
    expect(rateLimitKey(request({ authorization: 'Bearer other' }))).not.toBe(key);
  });

  it('falls back to the client address, ignoring X-Forwarded-For and other schemes', () => {
    expect(rateLimitKey(request({ 'x-forwarded-for': '1.2.3.4' }))).toBe('ip:10.0.0.9');
    expect(rateLimitKey(request({ authorization: 'Basic dXNlcjpwYXNz' }))).toBe('ip:10.0.0.9');
  });

  it('prefers a verified principal once authentication provides one', () => {
    expect(rateLimitKey(request({ authorization: 'Bearer x' }, { id: 'tok_42' }))).toBe('principal:tok_42');
  });
});
