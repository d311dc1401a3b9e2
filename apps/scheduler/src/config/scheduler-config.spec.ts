import { InvalidInput } from '@flowctl/core';
import { loadSchedulerConfig, parseRateLimit, SCHEDULER_ENVIRONMENT } from './scheduler-config';

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

describe('loadSchedulerConfig: auth', () => {
  it('has no auth by default', () => {
    expect(loadSchedulerConfig(base).auth).toEqual({ adminToken: undefined, jwt: undefined });
  });

  it('refuses a guessable admin token or JWT secret', () => {
    expect(() => loadSchedulerConfig({ ...base, FLOWCTL_ADMIN_TOKEN: 'short' })).toThrow(InvalidInput);
    expect(() => loadSchedulerConfig({ ...base, FLOWCTL_JWT_SECRET: 'short' })).toThrow(InvalidInput);
  });

  it('takes a JWT secret or a JWKS URL, not both, with claim names defaulting to role and namespaces', () => {
    expect(() =>
      loadSchedulerConfig({ ...base, FLOWCTL_JWT_SECRET: 'x'.repeat(32), FLOWCTL_JWKS_URL: 'https://idp.example/jwks.json' }),
    ).toThrow(InvalidInput);
    expect(() => loadSchedulerConfig({ ...base, FLOWCTL_JWKS_URL: 'file:///etc/keys' })).toThrow(InvalidInput);
    expect(
      loadSchedulerConfig({ ...base, FLOWCTL_JWKS_URL: 'https://idp.example/jwks.json', FLOWCTL_JWT_AUDIENCE: 'flowctl' }).auth.jwt,
    ).toEqual({
      secret: undefined,
      jwksUrl: 'https://idp.example/jwks.json',
      issuer: undefined,
      audience: 'flowctl',
      roleClaim: 'role',
      namespacesClaim: 'namespaces',
    });
  });
});

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

describe('loadSchedulerConfig: every variable checked at start', () => {
  it('refuses numbers that are not numbers, naming each variable', () => {
    expect(() => loadSchedulerConfig({ ...base, FLOWCTL_RESULT_BATCH: 'NaN' })).toThrow(
      'FLOWCTL_RESULT_BATCH must be a whole number of reports from 1 to 10000, got "NaN"',
    );
    expect(() => loadSchedulerConfig({ ...base, FLOWCTL_DB_POOL: 'ten', PORT: '99999' })).toThrow(
      /PORT must be a whole number from 0 to 65535, got "99999"; FLOWCTL_DB_POOL must be a whole number of connections from 1 to 1000, got "ten"/,
    );
  });

  it('requires DATABASE_URL, without echoing a URL that may hold a password', () => {
    expect(() => loadSchedulerConfig({})).toThrow(/^DATABASE_URL must be set/);
    expect(() => loadSchedulerConfig({ DATABASE_URL: 'mysql://root:hunter2@db/flowctl' })).toThrow(
      /^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL$/,
    );
  });

  it('documents every variable it reads in one table', () => {
    const names = SCHEDULER_ENVIRONMENT.variables.map((variable) => variable.name);
    expect(names).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'PORT', 'FLOWCTL_RESULT_BATCH', 'FLOWCTL_DB_POOL', 'FLOWCTL_RETENTION']),
    );
    expect(new Set(names).size).toBe(names.length);
    expect(SCHEDULER_ENVIRONMENT.variables.every((variable) => variable.description.length > 10)).toBe(true);
  });
});
