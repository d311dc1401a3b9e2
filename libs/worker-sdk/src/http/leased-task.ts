/** One task as the server leases it to an HTTP worker (the poll's answer). */
export interface LeasedTask {
  leaseId: string;
  runId: string;
  workflow: string;
  namespace: string;
  task: string;
  type: string;
  attempt: number;
  idempotencyKey: string;
  input: unknown;
  lastHeartbeatDetails: unknown;
  heartbeatTimeoutMs: number;
  /** ISO time the attempt's start-to-close timeout ends, or null. */
  deadline: string | null;
  traceparent?: string;
  /** The values of the secrets the input uses, to be masked in everything sent back. */
  secrets?: Record<string, string>;
}
