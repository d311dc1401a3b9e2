import { parseDuration } from '@flowctl/core';
import { defineHandler, NonRetryableError } from '@flowctl/worker-sdk';

export const sleepHandler = defineHandler<{ duration?: unknown }, { sleptMs: number }>(async (input, ctx) => {
  const ms = parseDuration(input?.duration ?? 0);
  if (ms === undefined) throw new NonRetryableError(`sleep: invalid duration ${JSON.stringify(input?.duration)}`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    ctx.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(ctx.signal.reason);
    }, { once: true });
  });
  return { sleptMs: Date.now() - started };
});
