import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HookSignature } from '@flowctl/core';

/** The header each scheme reads (lower case, as Node gives headers). */
export const SIGNATURE_HEADERS: Record<HookSignature, string> = {
  github: 'x-hub-signature-256',
  'hmac-sha256': 'x-signature-256',
  timestamped: 'x-signature',
};

/** A timestamped signature older or newer than this is refused: a captured call cannot be replayed later. */
export const REPLAY_WINDOW_SECONDS = 300;

export type SignatureCheck = 'valid' | 'missing' | 'bad' | 'expired';

/**
 * Checks a hook call's signature, an HMAC-SHA256 with the hook's secret:
 * - `github`: `X-Hub-Signature-256: sha256=HEX` over the raw body;
 * - `hmac-sha256`: `X-Signature-256: HEX` (a `sha256=` prefix is allowed) over the raw body;
 * - `timestamped`: `X-Signature: t=UNIX_SECONDS,v1=HEX` over `t + "." + body`, within the replay window.
 * Compared in constant time, so the answer's timing tells nothing about the right signature.
 */
export function checkHookSignature(
  scheme: HookSignature,
  header: string | undefined,
  secret: string,
  body: Buffer,
  nowSeconds: number,
): SignatureCheck {
  if (header === undefined || header.trim() === '') return 'missing';
  const value = header.trim();
  switch (scheme) {
    case 'github':
      return value.startsWith('sha256=') && matches(value.slice(7), hmac(secret, [body])) ? 'valid' : 'bad';
    case 'hmac-sha256':
      return matches(value.startsWith('sha256=') ? value.slice(7) : value, hmac(secret, [body])) ? 'valid' : 'bad';
    case 'timestamped': {
      const parts = new Map(value.split(',').map((part) => part.trim().split('=', 2) as [string, string | undefined]));
      const timestamp = parts.get('t');
      const signature = parts.get('v1');
      if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature) return 'bad';
      if (!matches(signature, hmac(secret, [Buffer.from(`${timestamp}.`), body]))) return 'bad';
      return Math.abs(nowSeconds - Number(timestamp)) > REPLAY_WINDOW_SECONDS ? 'expired' : 'valid';
    }
  }
}

function hmac(secret: string, pieces: Buffer[]): Buffer {
  const mac = createHmac('sha256', secret);
  for (const piece of pieces) mac.update(piece);
  return mac.digest();
}

function matches(hex: string, expected: Buffer): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  return timingSafeEqual(Buffer.from(hex, 'hex'), expected);
}

/** What a sender computes: used by tests and documented in docs/events.md. */
export function signHookBody(scheme: HookSignature, secret: string, body: Buffer, nowSeconds: number): string {
  const timestamp = String(nowSeconds);
  if (scheme === 'timestamped') return `t=${timestamp},v1=${hmac(secret, [Buffer.from(`${timestamp}.`), body]).toString('hex')}`;
  const hex = hmac(secret, [body]).toString('hex');
  return scheme === 'github' ? `sha256=${hex}` : hex;
}
