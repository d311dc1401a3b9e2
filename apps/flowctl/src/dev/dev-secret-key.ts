import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * `flowctl dev` keeps working with no set-up, secrets included: a key made on
 * first use and kept beside the embedded database (owner-only), so secrets set
 * in one session still open in the next. Production sets FLOWCTL_SECRET_KEY.
 */
export function devSecretKey(path: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const key = randomBytes(32).toString('base64');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
