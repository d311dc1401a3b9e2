import { restrictedRange } from './address-ranges';
import { allowlistMatch, checkDestination, type Resolve } from './destination-policy';

const resolvingTo =
  (...addresses: string[]): Resolve =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

const policy = (allowlist: string[]) => ({ allowlist, setting: 'FLOWCTL_HTTP_ALLOWLIST' });

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught as { message: string; nonRetryable?: boolean },
  );
  if (!error) throw new Error('expected a refusal');
  return error;
};

describe('destination policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private (RFC 1918)'],
    ['172.31.255.255', 'private (RFC 1918)'],
    ['192.168.0.1', 'private (RFC 1918)'],
    ['100.64.0.1', 'shared (CGNAT)'],
    ['169.254.169.254', 'cloud metadata'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['fd12::1', 'unique local (ULA)'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
  ])('classifies %s as %s', (address, label) => {
    expect(restrictedRange(address)).toBe(label);
  });

  it.each(['8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '172.32.0.1'])('treats %s as public', (address) => {
    expect(restrictedRange(address)).toBeUndefined();
  });

  it('tells exact allowlist entries from wildcards, by host and by host:port', () => {
    expect(allowlistMatch(new URL('http://127.0.0.1:8080/x'), ['127.0.0.1:8080'])).toBe('exact');
    expect(allowlistMatch(new URL('http://127.0.0.1:8081/x'), ['127.0.0.1:8080'])).toBeUndefined();
    expect(allowlistMatch(new URL('http://[::1]:8080/x'), ['[::1]:8080'])).toBe('exact');
    expect(allowlistMatch(new URL('https://api.example.com/'), ['*.example.com'])).toBe('wildcard');
    expect(allowlistMatch(new URL('https://evil-example.com/'), ['*.example.com'])).toBeUndefined();
    expect(allowlistMatch(new URL('https://anything.test/'), ['*'])).toBe('wildcard');
  });

  it('refuses a name that resolves to a private address under a wildcard, naming the address', async () => {
    const error = await refusal(checkDestination(new URL('http://rebind.test/'), policy(['*']), resolvingTo('93.184.216.34', '10.0.0.5')));
    expect(error.nonRetryable).toBe(true);
    expect(error.message).toContain('rebind.test resolves to 10.0.0.5, a private (RFC 1918) address');
  });

  it('refuses the metadata service by name before resolving it', async () => {
    const resolve = jest.fn(resolvingTo('8.8.8.8'));
    const error = await refusal(checkDestination(new URL('http://metadata.google.internal/computeMetadata/v1/'), policy(['*']), resolve));
    expect(error.message).toContain('cloud metadata');
    expect(resolve).not.toHaveBeenCalled();
  });

  it('lets an exact entry reach a private address and answers the checked address', async () => {
    await expect(checkDestination(new URL('http://db-api:9000/'), policy(['db-api:9000']), resolvingTo('10.0.0.7'))).resolves.toEqual({
      address: '10.0.0.7',
      family: 4,
    });
    await expect(checkDestination(new URL('https://example.test/'), policy(['*']), resolvingTo('93.184.216.34'))).resolves.toEqual({
      address: '93.184.216.34',
      family: 4,
    });
  });
});
