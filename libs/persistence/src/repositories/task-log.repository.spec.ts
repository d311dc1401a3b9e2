import { notificationPayloads } from './task-log.repository';

describe('notificationPayloads', () => {
  it('joins ids with commas into payloads that fit a notification', () => {
    const ids = Array.from({ length: 3_000 }, (_, i) => String(1_000_000 + i));
    const payloads = notificationPayloads(ids);
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(payload.length).toBeLessThanOrEqual(7_000);
    expect(payloads.join(',').split(',')).toEqual(ids);
  });

  it('sends nothing for no ids', () => {
    expect(notificationPayloads([])).toEqual([]);
  });
});
