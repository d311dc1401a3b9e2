import { SecretMasker } from './secret-masker';

describe('SecretMasker', () => {
  const masker = new SecretMasker(['hunter2', 'pa"ss']);

  it('masks a value, its base64 and its JSON-escaped form inside text', () => {
    const base64 = Buffer.from('hunter2').toString('base64');
    expect(masker.maskText(`token=hunter2 b64=${base64} json={"p":"pa\\"ss"}`)).toBe('token=*** b64=*** json={"p":"***"}');
  });

  it('masks strings and keys anywhere in a value, leaving other data', () => {
    expect(masker.mask({ out: ['x hunter2 y', 3, null, true], hunter2: { nested: 'pa"ss' } })).toEqual({
      out: ['x *** y', 3, null, true],
      '***': { nested: '***' },
    });
  });

  it('masks a failure message, stack and details', () => {
    expect(
      masker.maskFailure({ type: 'Error', message: 'bad hunter2', stack: 'Error: bad hunter2\n at x', details: { stderr: 'hunter2' } }),
    ).toEqual({
      type: 'Error',
      message: 'bad ***',
      stack: 'Error: bad ***\n at x',
      details: { stderr: '***' },
    });
  });

  it('masks a longer secret whole when it contains a shorter one', () => {
    expect(new SecretMasker(['abc', 'xxabcxx']).maskText('xxabcxx abc')).toBe('*** ***');
  });

  it('changes nothing without secrets', () => {
    const value = { a: 'hunter2' };
    expect(new SecretMasker([]).mask(value)).toBe(value);
  });
});
