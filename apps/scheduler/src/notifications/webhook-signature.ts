import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-flowctl-signature-256';
export const TIMESTAMP_HEADER = 'x-flowctl-timestamp';

/**
 * `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>`: the timestamp is signed with the body, so a
 * receiver that refuses old timestamps refuses a replayed delivery too (docs/notifications.md).
 */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
