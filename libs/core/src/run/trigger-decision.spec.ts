import { triggerDecision, type UpstreamCounts } from './trigger-decision';

const counts = (partial: Partial<UpstreamCounts>): UpstreamCounts => ({ total: 3, succeeded: 0, failed: 0, skipped: 0, ...partial });

describe('triggerDecision', () => {
  it('runs a task with no upstream at once under every rule', () => {
    for (const rule of ['all_success', 'all_done', 'none_failed'] as const) {
      expect(triggerDecision(rule, counts({ total: 0 }))).toBe('ready');
    }
  });

  it('all_success waits for every upstream and skips at the first failure or skip', () => {
    expect(triggerDecision('all_success', counts({ succeeded: 2 }))).toBe('wait');
    expect(triggerDecision('all_success', counts({ succeeded: 3 }))).toBe('ready');
    expect(triggerDecision('all_success', counts({ failed: 1 }))).toBe('skip');
    expect(triggerDecision('all_success', counts({ succeeded: 1, skipped: 1 }))).toBe('skip');
  });

  it('all_done runs once everything upstream ended, however it ended', () => {
    expect(triggerDecision('all_done', counts({ failed: 2 }))).toBe('wait');
    expect(triggerDecision('all_done', counts({ failed: 2, skipped: 1 }))).toBe('ready');
  });

  it('one_success fires at the first success and skips when none can come', () => {
    expect(triggerDecision('one_success', counts({ failed: 1, succeeded: 1 }))).toBe('ready');
    expect(triggerDecision('one_success', counts({ failed: 2 }))).toBe('wait');
    expect(triggerDecision('one_success', counts({ failed: 2, skipped: 1 }))).toBe('skip');
  });

  it('one_failed fires at the first failure and skips when everything succeeded', () => {
    expect(triggerDecision('one_failed', counts({ failed: 1 }))).toBe('ready');
    expect(triggerDecision('one_failed', counts({ succeeded: 3 }))).toBe('skip');
  });

  it('one_failed skips when everything ended without a failure, skipped upstream included', () => {
    expect(triggerDecision('one_failed', counts({ succeeded: 1, skipped: 2 }))).toBe('skip');
    expect(triggerDecision('one_failed', counts({ succeeded: 1, skipped: 1 }))).toBe('wait');
  });

  it('none_failed waits for every upstream, and runs when all were skipped', () => {
    expect(triggerDecision('none_failed', counts({ succeeded: 2 }))).toBe('wait');
    expect(triggerDecision('none_failed', counts({ skipped: 3 }))).toBe('ready');
  });

  it('all_done runs after upstream that were all skipped', () => {
    expect(triggerDecision('all_done', counts({ skipped: 3 }))).toBe('ready');
  });

  it('none_failed tolerates skipped upstream but not failed', () => {
    expect(triggerDecision('none_failed', counts({ succeeded: 2, skipped: 1 }))).toBe('ready');
    expect(triggerDecision('none_failed', counts({ succeeded: 1, failed: 1 }))).toBe('skip');
  });
});
