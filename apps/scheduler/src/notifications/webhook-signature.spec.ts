import { createHmac } from 'node:crypto';
import { webhookSignature } from './webhook-signature';

describe('webhookSignature', () => {
  it('is sha256= and the hex HMAC-SHA256 of "<timestamp>.<body>", as docs/notifications.md tells receivers', () => {
    const body = '{"type":"run.failed"}';
    const expected = createHmac('sha256', 'whsec').update(`1767225600.${body}`).digest('hex');
    expect(webhookSignature('whsec', 1767225600, body)).toBe(`sha256=${expected}`);
  });

  it('changes with the timestamp, so a replayed body with a fresh timestamp does not verify', () => {
    expect(webhookSignature('whsec', 1, 'x')).not.toBe(webhookSignature('whsec', 2, 'x'));
  });
});
