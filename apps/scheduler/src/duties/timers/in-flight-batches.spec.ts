import { InFlightBatches } from './in-flight-batches';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('InFlightBatches', () => {
  it('leaves room for no more than its maximum until a batch settles', async () => {
    const batches = new InFlightBatches(50);
    let finish!: () => void;
    batches.track(30, new Promise<void>((resolve) => (finish = resolve)));
    batches.track(
      20,
      Promise.resolve().then(() => new Promise(() => undefined)),
    );
    expect(batches.room).toBe(0);
    expect(batches.isFull).toBe(true);
    finish();
    await settle();
    expect(batches.room).toBe(30);
    expect(batches.isFull).toBe(false);
  });

  it('frees the slots of a batch whose work failed', async () => {
    const batches = new InFlightBatches(5);
    batches.track(
      5,
      Promise.reject(new Error('database gone')).catch(() => undefined),
    );
    await settle();
    expect(batches.room).toBe(5);
  });
});
