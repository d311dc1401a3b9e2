import { parseDuration } from '@flowctl/core';
import { defineHandler, NonRetryableError } from '@flowctl/worker-sdk';

/** Often enough for any heartbeatTimeout worth setting; the SDK throttles what it sends. */
const HEARTBEAT_EVERY_MS = 250;

/** Sleeps, heartbeating its progress, and stops at once when its signal fires. */
export const sleepHandler = defineHandler<{ duration?: unknown }, { sleptMs: number }>(async (input, ctx) => {
  const ms = parseDuration(input?.duration ?? 0);
  if (ms === undefined) throw new NonRetryableError(`sleep: invalid duration ${JSON.stringify(input?.duration)}`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const beat = setInterval(() => ctx.heartbeat({ sleptMs: Date.now() - started }), HEARTBEAT_EVERY_MS);
    const timer = setTimeout(() => {
      clearInterval(beat);
      resolve();
    }, ms);
    ctx.signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        clearInterval(beat);
        reject(ctx.signal.reason);
      },
      { once: true },
    );
  });
  return { sleptMs: Date.now() - started };
});
