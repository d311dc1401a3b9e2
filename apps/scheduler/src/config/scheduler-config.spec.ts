import { InvalidInput } from '@flowctl/core';
import { loadSchedulerConfig } from './scheduler-config';

const env = (extra: Record<string, string> = {}) => ({ DATABASE_URL: 'postgres://localhost/flowctl', ...extra });

describe('FLOWCTL_RETENTION', () => {
  it('keeps finished runs 30 days unless told otherwise', () => {
    expect(loadSchedulerConfig(env()).retentionMs).toBe(30 * 86_400_000);
    expect(loadSchedulerConfig(env({ FLOWCTL_RETENTION: '12h' })).retentionMs).toBe(12 * 3_600_000);
  });

  it('is switched off by 0 or off', () => {
    expect(loadSchedulerConfig(env({ FLOWCTL_RETENTION: '0' })).retentionMs).toBeNull();
    expect(loadSchedulerConfig(env({ FLOWCTL_RETENTION: 'off' })).retentionMs).toBeNull();
  });

  it('refuses what is not a duration', () => {
    expect(() => loadSchedulerConfig(env({ FLOWCTL_RETENTION: 'forever' }))).toThrow(InvalidInput);
    expect(() => loadSchedulerConfig(env({ FLOWCTL_RETENTION: '-1d' }))).toThrow(/FLOWCTL_RETENTION must be a duration/);
  });
});
