import type { TaskFailure } from '@flowctl/core';

const MAX_STACK = 4_000;
const MAX_MESSAGE = 8_000;

/** Turns whatever a handler threw into data that can cross the queue. */
export function toTaskFailure(error: unknown): TaskFailure {
  if (error instanceof Error) {
    const extra = error as Error & { nonRetryable?: unknown; details?: unknown; type?: unknown };
    return {
      type: typeof extra.type === 'string' ? extra.type : error.name || 'Error',
      message: error.message.slice(0, MAX_MESSAGE),
      ...(extra.nonRetryable === true ? { nonRetryable: true } : {}),
      ...(extra.details !== undefined ? { details: extra.details } : {}),
      ...(error.stack ? { stack: error.stack.slice(0, MAX_STACK) } : {}),
    };
  }
  return { type: 'Error', message: String(error).slice(0, MAX_MESSAGE) };
}
