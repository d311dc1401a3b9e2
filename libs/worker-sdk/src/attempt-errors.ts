/** How an attempt ends when the runner, not the handler, ends it: the same names for both runners. */

/** Outputs travel through the queue and PostgreSQL; past this they belong in object storage. */
export const MAX_OUTPUT_BYTES = 1_048_576;

export class TimeoutError extends Error {
  override name = 'Timeout';
}
export class CancelledError extends Error {
  override name = 'Cancelled';
}
/** An attempt given back by a worker that is stopping: retryable, so another worker takes the next attempt at once. */
export class WorkerShutdownError extends Error {
  override name = 'WorkerShutdown';
}
