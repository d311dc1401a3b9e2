import { uuidV7 } from './uuid-v7';

describe('uuidV7', () => {
  it('gives distinct RFC 9562 version 7 ids across many refills of its random pool', () => {
    const ids = Array.from({ length: 10_000 }, () => uuidV7(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^018bcfe5-6800-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sorts by creation time, as the primary-key index wants', () => {
    const earlier = uuidV7(1_700_000_000_000);
    const later = uuidV7(1_700_000_000_001);
    expect(earlier < later).toBe(true);
  });
});
