/** A task failure as it crosses the queue: data, never a worker's exception object. */
export interface TaskFailure {
  /** The error's name, matched against `retry.nonRetryable` (e.g. `ValidationError`, `Timeout`). */
  type: string;
  message: string;
  /** Set by the handler to refuse retries whatever the policy says. */
  nonRetryable?: boolean;
  details?: unknown;
  stack?: string;
}
