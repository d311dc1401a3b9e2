import { defineHandler } from '@flowctl/worker-sdk';

/**
 * Fails on purpose, for testing retry policies: `untilAttempt: N` succeeds from
 * attempt N on; `errorType` names the error (to exercise `nonRetryable`).
 */
export const failHandler = defineHandler<{ message?: unknown; untilAttempt?: unknown; errorType?: unknown }>((input, ctx) => {
  const untilAttempt = Number(input?.untilAttempt);
  if (Number.isInteger(untilAttempt) && ctx.attempt >= untilAttempt)
    return { attempt: ctx.attempt, succeededAfterFailures: ctx.attempt - 1 };
  const error = new Error(typeof input?.message === 'string' ? input.message : 'failed on purpose');
  error.name = typeof input?.errorType === 'string' ? input.errorType : 'TaskFailed';
  throw error;
});
