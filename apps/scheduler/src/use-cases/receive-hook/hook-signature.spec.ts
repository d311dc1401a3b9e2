import { checkHookSignature, REPLAY_WINDOW_SECONDS, signHookBody } from './hook-signature';

const body = Buffer.from('{"ref":"refs/heads/main"}');
const now = 1_800_000_000;

describe('checkHookSignature', () => {
  for (const scheme of ['github', 'hmac-sha256', 'timestamped'] as const) {
    it(`accepts a ${scheme} signature made with the secret, and refuses one made with another or over another body`, () => {
      expect(checkHookSignature(scheme, signHookBody(scheme, 's3cret', body, now), 's3cret', body, now)).toBe('valid');
      expect(checkHookSignature(scheme, signHookBody(scheme, 'other', body, now), 's3cret', body, now)).toBe('bad');
      expect(checkHookSignature(scheme, signHookBody(scheme, 's3cret', Buffer.from('{}'), now), 's3cret', body, now)).toBe('bad');
      expect(checkHookSignature(scheme, undefined, 's3cret', body, now)).toBe('missing');
      expect(checkHookSignature(scheme, 'sha256=zz', 's3cret', body, now)).toBe('bad');
    });
  }

  it('refuses a GitHub signature without its sha256= prefix', () => {
    const hex = signHookBody('hmac-sha256', 's3cret', body, now);
    expect(checkHookSignature('github', hex, 's3cret', body, now)).toBe('bad');
  });

  it('refuses a timestamped signature outside the replay window, even a correct one, and one whose timestamp was altered', () => {
    const old = signHookBody('timestamped', 's3cret', body, now - REPLAY_WINDOW_SECONDS - 1);
    expect(checkHookSignature('timestamped', old, 's3cret', body, now)).toBe('expired');
    const altered = old.replace(/t=\d+/, `t=${now}`);
    expect(checkHookSignature('timestamped', altered, 's3cret', body, now)).toBe('bad');
  });
});
