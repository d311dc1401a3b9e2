import { randomBytes } from 'node:crypto';
import { LeaseUnreadable, signLease, verifyLease, type Lease } from './lease-token';

const KEY = randomBytes(32);
const LEASE: Lease = {
  jobId: '42:1',
  type: 'py-square',
  lockToken: 'tok-1',
  taskRunId: '42',
  runId: '0190aa-run',
  attempt: 1,
  namespace: 'team-a',
  workerId: 'w-1',
  heartbeatTimeoutMs: 30_000,
  deadline: null,
  startedAt: 1_700_000_000_000,
  hasSecrets: true,
};

describe('lease token', () => {
  it('verifies what it signed, field for field', () => {
    expect(verifyLease(signLease(LEASE, KEY), KEY)).toEqual(LEASE);
    expect(verifyLease(signLease({ ...LEASE, deadline: 1_700_000_005_000, hasSecrets: false }, KEY), KEY)).toMatchObject({
      deadline: 1_700_000_005_000,
      hasSecrets: false,
    });
  });

  it('refuses a lease signed with another key', () => {
    expect(() => verifyLease(signLease(LEASE, randomBytes(32)), KEY)).toThrow(LeaseUnreadable);
  });

  it('refuses a payload changed to name another namespace, keeping the signature', () => {
    const [, sig] = signLease(LEASE, KEY).split('.');
    const forged = Buffer.from(JSON.stringify(['42:1', 'py-square', 'tok-1', '42', 'r', 1, 'team-b', 'w-1', 30000, null, 1, 0])).toString(
      'base64url',
    );
    expect(() => verifyLease(`${forged}.${sig}`, KEY)).toThrow(LeaseUnreadable);
  });

  it.each(['', 'garbage', '.', 'abc.', '.abc', 'a.b.c', `${'x'.repeat(5000)}.y`].map((id) => [id.slice(0, 12), id]))(
    'refuses the garbled id %p',
    (_label, id) => {
      expect(() => verifyLease(id!, KEY)).toThrow(LeaseUnreadable);
    },
  );

  it('refuses a correctly signed payload of the wrong shape', () => {
    const payload = Buffer.from(JSON.stringify({ jobId: 'x' })).toString('base64url');
    const { createHmac } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const sig = createHmac('sha256', KEY).update(payload).digest('base64url');
    expect(() => verifyLease(`${payload}.${sig}`, KEY)).toThrow('wrong shape');
  });
});
