import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { InvalidInput } from '@flowctl/core';

/**
 * A secret value as stored in PostgreSQL and carried in a task's job: AES-256-GCM
 * under the key named by `keyId`, with a fresh 96-bit nonce per value. Only the
 * holder of FLOWCTL_SECRET_KEY (the scheduler sealing, the worker opening) can
 * read it, so neither the database nor Redis ever holds a secret in clear.
 */
export interface SealedSecret {
  keyId: string;
  /** base64 */
  nonce: string;
  /** base64, the GCM tag appended */
  ciphertext: string;
}

/** A secret that cannot be opened: unknown key, wrong key, or a ciphertext altered or moved to another name. */
export class SecretUnreadable extends Error {
  override name = 'SecretUnreadable';
}

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The keys a process can seal and open with: the current one (FLOWCTL_SECRET_KEY)
 * seals, and any of them opens, so after a rotation the rows still under an
 * older key (FLOWCTL_SECRET_PREVIOUS_KEYS) stay readable until they are set again.
 */
export class SecretKeyring {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    this.currentKeyId = keyIdOf(current);
    this.keys.set(this.currentKeyId, current);
    for (const key of previous) if (!this.keys.has(keyIdOf(key))) this.keys.set(keyIdOf(key), key);
  }

  /** Parses FLOWCTL_SECRET_KEY (and optional FLOWCTL_SECRET_PREVIOUS_KEYS, comma-separated); undefined when no key is set. */
  static fromConfig(current: string | undefined, previous?: string): SecretKeyring | undefined {
    const previousKeys = (previous ?? '')
      .split(',')
      .map((text) => text.trim())
      .filter(Boolean)
      .map((text) => parseSecretKey(text, 'FLOWCTL_SECRET_PREVIOUS_KEYS'));
    if (current === undefined || current.trim() === '') {
      if (previousKeys.length > 0) throw new InvalidInput('FLOWCTL_SECRET_PREVIOUS_KEYS is set but FLOWCTL_SECRET_KEY is not');
      return undefined;
    }
    return new SecretKeyring(parseSecretKey(current.trim(), 'FLOWCTL_SECRET_KEY'), previousKeys);
  }

  seal(namespace: string, name: string, value: string): SealedSecret {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, nonce);
    cipher.setAAD(associatedData(namespace, name));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { keyId: this.currentKeyId, nonce: nonce.toString('base64'), ciphertext: ciphertext.toString('base64') };
  }

  open(namespace: string, name: string, sealed: SealedSecret): string {
    const key = this.keys.get(sealed.keyId);
    if (!key)
      throw new SecretUnreadable(
        `secret ${name} is encrypted with key ${sealed.keyId}, which this process does not have (its FLOWCTL_SECRET_KEY is ${this.currentKeyId})`,
      );
    const nonce = Buffer.from(sealed.nonce, 'base64');
    const data = Buffer.from(sealed.ciphertext, 'base64');
    if (nonce.length !== NONCE_BYTES || data.length < TAG_BYTES) throw new SecretUnreadable(`secret ${name} is not a valid ciphertext`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, nonce);
      decipher.setAAD(associatedData(namespace, name));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretUnreadable(
        `secret ${name} could not be decrypted with key ${sealed.keyId}: the key is wrong or the value was altered or moved from another secret`,
      );
    }
  }
}

/**
 * The row's place is authenticated with its value, so a ciphertext copied to
 * another name or namespace fails to open instead of revealing itself there.
 * Length-prefixed so that ("a:b", "c") and ("a", "b:c") differ.
 */
function associatedData(namespace: string, name: string): Buffer {
  return Buffer.from(`flowctl-secret:v1:${namespace.length}:${namespace}:${name.length}:${name}`, 'utf8');
}

/** A fingerprint, not the key: identifies which key sealed a row, and reveals nothing of a 256-bit key. */
function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('flowctl-secret-key-id').update(key).digest('hex').slice(0, 16);
}

/** 32 bytes as 64 hex digits or as base64 (`openssl rand -base64 32`). */
export function parseSecretKey(text: string, variable: string): Buffer {
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(text)) key = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) key = Buffer.from(text, 'base64');
  if (!key || key.length !== KEY_BYTES)
    throw new InvalidInput(`${variable} must be 32 bytes, as 64 hex digits or base64 (generate one with: openssl rand -base64 32)`);
  return key;
}
