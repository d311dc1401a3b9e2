import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * An API token: `fct_<id>_<secret>`. The id (hex of the row's uuid) finds the
 * row; the 256-bit random secret makes the whole token unguessable, so a plain
 * SHA-256 of it is a safe thing to store (a slow password hash protects weak
 * human secrets, which these are not).
 */
const TOKEN = /^fct_([0-9a-f]{32})_[A-Za-z0-9_-]{43}$/;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export function newTokenSecret(id: string): string {
  return `fct_${id.replace(/-/g, '')}_${randomBytes(32).toString('base64url')}`;
}

/** The row id a token names, or undefined for anything that is not an API token. */
export function tokenIdOf(token: string): string | undefined {
  const hex = TOKEN.exec(token)?.[1];
  return hex && `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Compares a presented token's hash with a stored one: digests, not the strings, so equal lengths
 * and no early exit that times how much matched.
 */
export function hashesMatch(presentedHash: string, expectedHash: string): boolean {
  const expected = Buffer.from(expectedHash, 'hex');
  const actual = Buffer.from(presentedHash, 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
