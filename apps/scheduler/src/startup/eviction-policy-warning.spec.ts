import { evictionPolicyWarning } from './eviction-policy-warning';

describe('evictionPolicyWarning', () => {
  it('says nothing when Redis never evicts', () => {
    expect(evictionPolicyWarning({ policy: 'noeviction' })).toBeUndefined();
  });

  it('warns about any policy that may evict queued jobs, naming it and the fix', () => {
    const warning = evictionPolicyWarning({ policy: 'allkeys-lru' });
    expect(warning).toContain('"allkeys-lru"');
    expect(warning).toContain('maxmemory-policy noeviction');
  });

  it('warns, without failing, when CONFIG is disabled', () => {
    expect(evictionPolicyWarning({ unreadable: "ERR unknown command 'CONFIG'" })).toContain('could not read Redis maxmemory-policy');
  });
});
