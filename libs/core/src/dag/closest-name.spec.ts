import { closestName, editDistance } from './closest-name';

describe('closestName', () => {
  it('suggests a name within two edits', () => {
    expect(closestName('lod', ['extract', 'load'])).toBe('load');
    expect(closestName('dependOn', ['name', 'dependsOn', 'when'])).toBe('dependsOn');
    expect(closestName('tiemout', ['timeout', 'trigger'])).toBe('timeout');
  });

  it('suggests a name that one is a prefix of', () => {
    expect(closestName('transformation', ['transform', 'load'])).toBe('transform');
    expect(closestName('heartbeat', ['heartbeatTimeout'])).toBe('heartbeatTimeout');
  });

  it('prefers the closest candidate, then the earliest', () => {
    expect(closestName('lo', ['load', 'lx', 'ly'])).toBe('lx');
    expect(closestName('abcd', ['abxy', 'abcx'])).toBe('abcx');
  });

  it('ignores case differences when measuring', () => {
    expect(closestName('DependsOn', ['dependsOn'])).toBe('dependsOn');
  });

  it('suggests nothing when nothing is close', () => {
    expect(closestName('zzz', ['extract', 'load'])).toBeUndefined();
    expect(closestName('a', ['b'])).toBeUndefined();
    expect(closestName('x', [])).toBeUndefined();
  });

  it('does not suggest the name itself', () => {
    expect(closestName('load', ['load'])).toBeUndefined();
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('stops early past its limit', () => {
    expect(editDistance('abcdefgh', 'zyxwvuts', 2)).toBe(3);
  });
});
