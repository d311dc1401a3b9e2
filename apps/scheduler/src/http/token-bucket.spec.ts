import { TokenBuckets } from './token-bucket';

describe('TokenBuckets', () => {
  it('allows a burst, then one request per refill interval, and says how long to wait', () => {
    const buckets = new TokenBuckets(2, 3);
    expect([0, 1, 2].map(() => buckets.take('a', 1_000))).toEqual([0, 0, 0]);
    expect(buckets.take('a', 1_000)).toBeCloseTo(0.5);
    expect(buckets.take('a', 1_500)).toBe(0);
    expect(buckets.take('a', 1_500)).toBeGreaterThan(0);
  });

  it('keeps clients apart', () => {
    const buckets = new TokenBuckets(1, 1);
    expect(buckets.take('a', 0)).toBe(0);
    expect(buckets.take('a', 0)).toBeGreaterThan(0);
    expect(buckets.take('b', 0)).toBe(0);
  });

  it('forgets clients whose bucket has refilled, and bounds the number it holds', () => {
    const buckets = new TokenBuckets(10, 10, 100);
    for (let i = 0; i < 50; i++) buckets.take(`client-${i}`, 0);
    buckets.take('late', 5_000);
    expect(buckets.size).toBe(1);
    for (let i = 0; i < 1_000; i++) buckets.take(`flood-${i}`, 6_000);
    expect(buckets.size).toBeLessThanOrEqual(100);
  });
});
