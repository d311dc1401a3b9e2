/**
 * Work a timer started and did not wait for (notification POSTs), counted so that it never has more than
 * `max` items out at once: a slow receiver holds its slots until its batch ends, never the timer duty.
 */
export class InFlightBatches {
  private inFlight = 0;

  constructor(private readonly max: number) {}

  /** How many more items may start now. */
  get room(): number {
    return Math.max(0, this.max - this.inFlight);
  }

  get isFull(): boolean {
    return this.room === 0;
  }

  /** Counts `count` items as out until `work` settles (it must not reject: the caller handles its errors). */
  track(count: number, work: Promise<unknown>): void {
    this.inFlight += count;
    void work.finally(() => (this.inFlight -= count));
  }
}
