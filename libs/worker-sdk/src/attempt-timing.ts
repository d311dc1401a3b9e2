import { TimeoutError } from './attempt-errors';

/** When a task declares no heartbeatTimeout, the scheduler's default. */
const DEFAULT_HEARTBEAT_TIMEOUT_MS = 30_000;
const MIN_HEARTBEAT_INTERVAL_MS = 200;

/** A third of the heartbeat timeout: two heartbeats may go missing before the scheduler gives up. Both runners beat at this pace. */
export const heartbeatIntervalFor = (heartbeatTimeoutMs: number | undefined): number =>
  Math.max(MIN_HEARTBEAT_INTERVAL_MS, Math.floor((heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS) / 3));

/** Aborts the attempt with a Timeout when its start-to-close time is up; undefined when it has none. Clear the timer when it ends. */
export function abortAtDeadline(controller: AbortController, inMs: number | undefined, message: string): NodeJS.Timeout | undefined {
  if (inMs === undefined) return undefined;
  return setTimeout(() => controller.abort(new TimeoutError(message)), Math.max(0, inMs));
}

/**
 * ctx.heartbeat's pace: however often a handler calls it, `send` runs at most
 * once per interval (the latest details win, kept by the caller), the first
 * at once unless a beat went out less than an interval ago.
 */
export class HeartbeatThrottle {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly intervalMs: number,
    private readonly send: () => void,
    private lastSentAt = 0,
  ) {}

  /** A beat went out (a periodic one, say): the next throttled one waits an interval from now. */
  sent(): void {
    this.lastSentAt = Date.now();
  }

  request(): void {
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.sent();
        this.send();
      },
      Math.max(0, this.lastSentAt + this.intervalMs - Date.now()),
    );
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A handler that ignores its signal still has its attempt ended on time; its late result is dropped. */
export function raceAbort<T>(work: Promise<T> | T, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    Promise.resolve(work).then(resolve, reject);
  });
}
