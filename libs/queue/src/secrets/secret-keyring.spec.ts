import { randomBytes } from 'node:crypto';
import { SecretKeyring, parseSecretKey } from './secret-keyring';

const keyText = () => randomBytes(32).toString('base64');

describe('SecretKeyring', () => {
  it('opens what it sealed, and seals the same value differently each time', () => {
    const keyring = SecretKeyring.fromConfig(keyText())!;
    const first = keyring.seal('default', 'TOKEN', 'hunter2');
    const second = keyring.seal('default', 'TOKEN', 'hunter2');
    expect(first.nonce).not.toBe(second.nonce);
    expect(first.ciphertext).not.toBe(second.ciphertext);
    expect(Buffer.from(first.ciphertext, 'base64').toString('utf8')).not.toContain('hunter2');
    expect(keyring.open('default', 'TOKEN', first)).toBe('hunter2');
    expect(first.keyId).toBe(keyring.currentKeyId);
  });

  it('refuses a ciphertext moved to another name or namespace', () => {
    const keyring = SecretKeyring.fromConfig(keyText())!;
    const sealed = keyring.seal('team-a', 'TOKEN', 'hunter2');
    expect(() => keyring.open('team-a', 'OTHER', sealed)).toThrow(/secret OTHER could not be decrypted .* moved from another secret/);
    expect(() => keyring.open('team-b', 'TOKEN', sealed)).toThrow(/could not be decrypted/);
  });

  it('refuses an altered ciphertext', () => {
    const keyring = SecretKeyring.fromConfig(keyText())!;
    const sealed = keyring.seal('default', 'TOKEN', 'hunter2');
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[0]! ^= 1;
    expect(() => keyring.open('default', 'TOKEN', { ...sealed, ciphertext: bytes.toString('base64') })).toThrow(/could not be decrypted/);
  });

  it('names the key it lacks, and with the wrong key under the same id fails authentication', () => {
    const sealed = SecretKeyring.fromConfig(keyText())!.seal('default', 'TOKEN', 'hunter2');
    const other = SecretKeyring.fromConfig(keyText())!;
    expect(() => other.open('default', 'TOKEN', sealed)).toThrow(
      `secret TOKEN is encrypted with key ${sealed.keyId}, which this process does not have`,
    );
    expect(() => other.open('default', 'TOKEN', { ...sealed, keyId: other.currentKeyId })).toThrow(/could not be decrypted/);
  });

  it('opens rows under a previous key after a rotation and seals under the new one', () => {
    const old = keyText();
    const sealed = SecretKeyring.fromConfig(old)!.seal('default', 'TOKEN', 'v');
    const rotated = SecretKeyring.fromConfig(keyText(), old)!;
    expect(rotated.open('default', 'TOKEN', sealed)).toBe('v');
    expect(rotated.seal('default', 'TOKEN', 'v').keyId).not.toBe(sealed.keyId);
  });

  it('is absent without a key', () => {
    expect(SecretKeyring.fromConfig(undefined)).toBeUndefined();
    expect(SecretKeyring.fromConfig('')).toBeUndefined();
  });
});

describe('parseSecretKey', () => {
  it('reads 32 bytes as hex or base64', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('hex'), 'K')).toEqual(key);
    expect(parseSecretKey(key.toString('base64'), 'K')).toEqual(key);
    expect(parseSecretKey(key.toString('base64url'), 'K')).toEqual(key);
  });

  it('refuses a key of another length or encoding, naming the variable', () => {
    expect(() => parseSecretKey(randomBytes(16).toString('base64'), 'FLOWCTL_SECRET_KEY')).toThrow(/^FLOWCTL_SECRET_KEY must be 32 bytes/);
    expect(() => parseSecretKey('not a key!', 'FLOWCTL_SECRET_KEY')).toThrow(/must be 32 bytes/);
    expect(() => parseSecretKey('ab'.repeat(31), 'FLOWCTL_SECRET_KEY')).toThrow(/must be 32 bytes/);
  });
});
