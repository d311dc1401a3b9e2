import { loadSchedulerConfig, parseRateLimit } from './scheduler-config';

const base = { DATABASE_URL: 'postgres://localhost/db' };

describe('scheduler config: hardening', () => {
  it('reads FLOWCTL_RATE_LIMIT per second, minute or hour, with a default burst of two seconds', () => {
    expect(parseRateLimit('100/s')).toEqual({ perSecond: 100, burst: 200 });
    expect(parseRateLimit('60/m', '5')).toEqual({ perSecond: 1, burst: 5 });
    expect(parseRateLimit('0')).toBeUndefined();
    expect(() => parseRateLimit('fast')).toThrow('FLOWCTL_RATE_LIMIT must look like 100/s');
    expect(() => parseRateLimit('10/s', '-1')).toThrow('FLOWCTL_RATE_LIMIT_BURST');
  });

  it('limits by default and turns CORS on only for listed origins', () => {
    expect(loadSchedulerConfig(base)).toMatchObject({ rateLimit: { perSecond: 1000, burst: 2000 }, corsOrigins: [] });
    expect(loadSchedulerConfig({ ...base, FLOWCTL_CORS_ORIGINS: 'https://ops.example.com, http://localhost:5173' }).corsOrigins).toEqual([
      'https://ops.example.com',
      'http://localhost:5173',
    ]);
    expect(() => loadSchedulerConfig({ ...base, FLOWCTL_CORS_ORIGINS: 'https://ops.example.com/dashboard' })).toThrow('not an origin');
  });
});
