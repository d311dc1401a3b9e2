import { Forbidden } from './auth-errors';
import { NotFound } from '@flowctl/core';
import { Access } from './access';
import { ALL_NAMESPACES, type Principal } from './principal';

const principal = (namespaces: Principal['namespaces']): Principal => ({ actor: 't', tokenId: null, role: 'admin', namespaces });

describe('Access', () => {
  it('hides another namespace as not found and records the namespace it allowed', () => {
    const access = new Access(principal(['team-a']));
    expect(() => access.assertVisible('team-b', 'run x not found')).toThrow(NotFound);
    expect(access.namespace).toBeNull();
    access.assertVisible('team-a', 'run x not found');
    expect(access.namespace).toBe('team-a');
  });

  it('refuses a namespace the client names itself with 403', () => {
    expect(() => new Access(principal(['team-a'])).assertAllowed('team-b')).toThrow(Forbidden);
    expect(() => new Access(principal(['team-a'])).listFilter('team-b')).toThrow(Forbidden);
  });

  it('narrows lists to the token namespaces, and leaves them unfiltered for a token of every namespace', () => {
    expect(new Access(principal(['team-a', 'team-c'])).listFilter(undefined)).toEqual(['team-a', 'team-c']);
    expect(new Access(principal(['team-a', 'team-c'])).listFilter('team-c')).toEqual(['team-c']);
    expect(new Access(principal(ALL_NAMESPACES)).listFilter(undefined)).toBeUndefined();
  });

  it('addresses the only namespace of a one-namespace token by default, else default', () => {
    expect(new Access(principal(['team-a'])).namespaceOf(undefined)).toBe('team-a');
    expect(new Access(principal(['team-a', 'team-b'])).namespaceOf(undefined)).toBe('default');
    expect(new Access(principal(ALL_NAMESPACES)).namespaceOf('team-b')).toBe('team-b');
  });
});
