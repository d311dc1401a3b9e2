import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('groups items submitted during a flush into the next batch', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const firstFlushDone = new Promise<void>((resolve) => (release = resolve));
    const batcher = new MicroBatcher<number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await firstFlushDone;
    }, 100);
    const first = batcher.submit(1);
    const rest = [2, 3, 4].map((n) => batcher.submit(n));
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('isolates a failing item so the rest of its batch still lands', async () => {
    const flushed: number[] = [];
    let block = true;
    let unblock!: () => void;
    const gate = new Promise<void>((resolve) => (unblock = resolve));
    const batcher = new MicroBatcher<number>(async (items) => {
      if (block) {
        block = false;
        await gate;
      }
      if (items.includes(13)) throw new Error('poison');
      flushed.push(...items);
    }, 100);
    const warmup = batcher.submit(0);
    const results = [12, 13, 14].map((n) =>
      batcher.submit(n).then(
        () => 'ok',
        () => 'failed',
      ),
    );
    unblock();
    await warmup;
    expect(await Promise.all(results)).toEqual(['ok', 'failed', 'ok']);
    expect(flushed).toEqual([0, 12, 14]);
  });

  it('splits a backlog larger than the batch size', async () => {
    const sizes: number[] = [];
    let unblock!: () => void;
    const gate = new Promise<void>((resolve) => (unblock = resolve));
    const batcher = new MicroBatcher<number>(async (items) => {
      sizes.push(items.length);
      if (sizes.length === 1) await gate;
    }, 2);
    const all = [0, 1, 2, 3, 4].map((n) => batcher.submit(n));
    unblock();
    await Promise.all(all);
    expect(sizes).toEqual([1, 2, 2]);
  });
});
