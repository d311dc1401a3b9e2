import { hashesMatch, hashToken, newTokenSecret, tokenIdOf } from './api-token-secret';

const ID = '01a208a7-faf0-7d4e-8716-99262ca63c77';

describe('API token secrets', () => {
  it('carries its row id and 256 random bits; two tokens of one id differ', () => {
    const token = newTokenSecret(ID);
    expect(tokenIdOf(token)).toBe(ID);
    expect(newTokenSecret(ID)).not.toBe(token);
  });

  it('matches only the token whose hash is stored', () => {
    const token = newTokenSecret(ID);
    expect(hashesMatch(hashToken(token), hashToken(token))).toBe(true);
    expect(hashesMatch(hashToken(`${token.slice(0, -1)}x`), hashToken(token))).toBe(false);
    expect(hashesMatch(hashToken(token), 'abc')).toBe(false);
  });

  it('does not take a JWT or garbage for an API token', () => {
    expect(tokenIdOf('eyJhbGciOiJIUzI1NiJ9.e30.sig')).toBeUndefined();
    expect(tokenIdOf(`fct_${'0'.repeat(31)}_${'a'.repeat(43)}`)).toBeUndefined();
  });
});
