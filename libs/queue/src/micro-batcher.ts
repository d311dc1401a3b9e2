/**
 * Group commit: items submitted while a flush is running wait and go out
 * together in the next one. Under load, batches grow on their own; when idle,
 * a lone item is flushed at once with no timer delay.
 */
export class MicroBatcher<T> {
  private queue: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private flushing = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  submit(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await this.flush(batch.map((entry) => entry.item));
        for (const entry of batch) entry.resolve();
      } catch (error) {
        if (batch.length === 1) {
          batch[0]!.reject(error);
          continue;
        }
        // One bad item must not fail its neighbours: retry them one by one.
        for (const entry of batch) {
          await this.flush([entry.item]).then(entry.resolve, entry.reject);
        }
      }
    }
    this.flushing = false;
  }
}
