import { InvalidInput } from '@flowctl/core';
import { loadSchedulerConfig } from './scheduler-config';

const BASE = { DATABASE_URL: 'postgres://localhost/flowctl' };

describe('loadSchedulerConfig: auth', () => {
  it('has no auth by default', () => {
    expect(loadSchedulerConfig(BASE).auth).toEqual({ adminToken: undefined, jwt: undefined });
  });

  it('refuses a guessable admin token or JWT secret', () => {
    expect(() => loadSchedulerConfig({ ...BASE, FLOWCTL_ADMIN_TOKEN: 'short' })).toThrow(InvalidInput);
    expect(() => loadSchedulerConfig({ ...BASE, FLOWCTL_JWT_SECRET: 'short' })).toThrow(InvalidInput);
  });

  it('takes a JWT secret or a JWKS URL, not both, with claim names defaulting to role and namespaces', () => {
    expect(() =>
      loadSchedulerConfig({ ...BASE, FLOWCTL_JWT_SECRET: 'x'.repeat(32), FLOWCTL_JWKS_URL: 'https://idp.example/jwks.json' }),
    ).toThrow(InvalidInput);
    expect(() => loadSchedulerConfig({ ...BASE, FLOWCTL_JWKS_URL: 'file:///etc/keys' })).toThrow(InvalidInput);
    expect(
      loadSchedulerConfig({ ...BASE, FLOWCTL_JWKS_URL: 'https://idp.example/jwks.json', FLOWCTL_JWT_AUDIENCE: 'flowctl' }).auth.jwt,
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
