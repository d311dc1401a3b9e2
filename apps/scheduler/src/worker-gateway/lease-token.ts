import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Everything a scheduler needs to act on one leased attempt, whichever
 * scheduler issued it: the BullMQ job and the lock token that holds it, the
 * task run and attempt PostgreSQL checks reports against, and the namespace a
 * worker's token must cover. Signed, so a worker can neither forge one nor
 * point it at another namespace's task.
 */
export interface Lease {
  jobId: string;
  type: string;
  /** BullMQ's lock token of the job while it is leased. */
  lockToken: string;
  taskRunId: string;
  runId: string;
  attempt: number;
  namespace: string;
  /** The worker the attempt was leased to: reports are made in its name. */
  workerId: string;
  heartbeatTimeoutMs: number;
  /** When the attempt's start-to-close timeout ends (epoch ms), or null. */
  deadline: number | null;
  /** When it was leased (epoch ms): the attempt's start. */
  startedAt: number;
  /** Whether the task's input holds secrets, whose values are masked in what the worker sends back. */
  hasSecrets: boolean;
}

type Wire = [string, string, string, string, string, number, string, string, number, number | null, number, 0 | 1];

const SIGNATURE_BYTES = 32;

/** Why a lease id was refused: the API answers each the same (404), the reason is for logs and tests. */
export class LeaseUnreadable extends Error {
  override name = 'LeaseUnreadable';
}

/** `<payload>.<signature>`, both base64url: the payload a compact JSON array, the signature HMAC-SHA256 of it. */
export function signLease(lease: Lease, key: Buffer): string {
  const wire: Wire = [
    lease.jobId,
    lease.type,
    lease.lockToken,
    lease.taskRunId,
    lease.runId,
    lease.attempt,
    lease.namespace,
    lease.workerId,
    lease.heartbeatTimeoutMs,
    lease.deadline,
    lease.startedAt,
    lease.hasSecrets ? 1 : 0,
  ];
  const payload = Buffer.from(JSON.stringify(wire)).toString('base64url');
  return `${payload}.${signature(payload, key)}`;
}

export function verifyLease(leaseId: string, key: Buffer): Lease {
  const dot = leaseId.indexOf('.');
  if (dot <= 0 || leaseId.length > 4096) throw new LeaseUnreadable('not a lease id');
  const payload = leaseId.slice(0, dot);
  const presented = Buffer.from(leaseId.slice(dot + 1), 'base64url');
  const expected = Buffer.from(signature(payload, key), 'base64url');
  if (presented.length !== SIGNATURE_BYTES || !timingSafeEqual(presented, expected)) throw new LeaseUnreadable('bad signature');
  let wire: unknown;
  try {
    wire = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new LeaseUnreadable('payload is not JSON');
  }
  if (!Array.isArray(wire) || wire.length !== 12) throw new LeaseUnreadable('payload has the wrong shape');
  const [jobId, type, lockToken, taskRunId, runId, attempt, namespace, workerId, heartbeatTimeoutMs, deadline, startedAt, hasSecrets] =
    wire as Wire;
  return {
    jobId,
    type,
    lockToken,
    taskRunId,
    runId,
    attempt,
    namespace,
    workerId,
    heartbeatTimeoutMs,
    deadline,
    startedAt,
    hasSecrets: hasSecrets === 1,
  };
}

const signature = (payload: string, key: Buffer) => createHmac('sha256', key).update(payload).digest('base64url');
