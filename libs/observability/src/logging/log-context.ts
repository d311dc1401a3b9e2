import { AsyncLocalStorage } from 'node:async_hooks';

/** Fields every log line written inside a unit of work carries (runId, task, attempt, ...). */
export type LogFields = Record<string, unknown>;

const storage = new AsyncLocalStorage<LogFields>();

/**
 * Runs `work` with `fields` added to every log line it (and anything it awaits) writes.
 * Not for the per-task hot path: once used, AsyncLocalStorage tracks every promise of the
 * process on Node 20; there the fields are passed explicitly.
 */
export function withLogContext<T>(fields: LogFields, work: () => T): T {
  const outer = storage.getStore();
  return storage.run(outer ? { ...outer, ...fields } : fields, work);
}

export function currentLogContext(): LogFields | undefined {
  return storage.getStore();
}
