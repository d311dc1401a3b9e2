export interface LoadResult {
  sent: number;
  errors: number;
  /** Milliseconds from each request's scheduled time to its answer. */
  latenciesMs: number[];
  firstError?: string;
}

/**
 * Fires `send` at a fixed rate for a fixed time, on schedule, not after the
 * previous answer (open loop). Latency counts from the scheduled moment, so a
 * server that stalls is charged for the requests that queued behind the stall
 * (no coordinated omission).
 */
export async function openLoopLoad(options: {
  ratePerSecond: number;
  durationMs: number;
  send: () => Promise<boolean>;
}): Promise<LoadResult> {
  const total = Math.round((options.ratePerSecond * options.durationMs) / 1000);
  const interval = 1000 / options.ratePerSecond;
  const result: LoadResult = { sent: 0, errors: 0, latenciesMs: [] };
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const scheduled = started + i * interval;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    result.sent++;
    inFlight.push(
      options.send().then(
        (ok) => {
          result.latenciesMs.push(performance.now() - scheduled);
          if (!ok) result.errors++;
        },
        (error: Error) => {
          result.latenciesMs.push(performance.now() - scheduled);
          result.errors++;
          result.firstError ??= error.message;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return result;
}
