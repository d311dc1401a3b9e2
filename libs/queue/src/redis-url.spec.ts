import { InvalidInput } from '@flowctl/core';
import { parseRedisUrl, redact } from './redis-url';

describe('parseRedisUrl', () => {
  it.each(['redis://127.0.0.1:6379', 'rediss://user:secret@redis.example.com:6380/2', 'redis://localhost'])(
    'takes %s as one Redis',
    (url) => {
      expect(parseRedisUrl(url)).toEqual({ kind: 'single', url });
    },
  );

  it('reads a Sentinel group, its master, database and passwords', () => {
    expect(parseRedisUrl('redis+sentinel://:p%40ss@s1:26379,s2:26380,s3/mymaster/3?sentinelPassword=sp')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
        { host: 's3', port: 26379 },
      ],
      masterName: 'mymaster',
      db: 3,
      password: 'p@ss',
      sentinelPassword: 'sp',
      tls: false,
    });
  });

  it('reads Cluster seed nodes, IPv6 included, with TLS for rediss+cluster', () => {
    expect(parseRedisUrl('rediss+cluster://app:pw@10.0.0.1:7000,[::1]:7001,node-3')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '::1', port: 7001 },
        { host: 'node-3', port: 6379 },
      ],
      username: 'app',
      password: 'pw',
      tls: true,
    });
  });

  it.each([
    ['an unknown scheme', 'http://127.0.0.1:6379'],
    ['no scheme', '127.0.0.1:6379'],
    ['a path that is no database', 'redis://127.0.0.1:6379/queues'],
    ['a Sentinel URL without master', 'redis+sentinel://s1:26379,s2:26379'],
    ['a Sentinel URL with a database that is no number', 'redis+sentinel://s1:26379/mymaster/x'],
    ['a Sentinel URL with an unknown parameter', 'redis+sentinel://s1:26379/mymaster?timeout=3'],
    ['a Cluster URL with a database', 'redis+cluster://n1:7000/1'],
    ['a Cluster URL without hosts', 'redis+cluster://'],
    ['a port out of range', 'redis+cluster://n1:70000'],
    ['an empty host in the list', 'redis+cluster://n1:7000,,n2:7001'],
  ])('refuses %s with the forms it takes', (_, url) => {
    expect(() => parseRedisUrl(url)).toThrow(InvalidInput);
    expect(() => parseRedisUrl(url)).toThrow(/redis\+sentinel:\/\/.*redis\+cluster:\/\//);
  });

  it('keeps the password out of its error', () => {
    expect(() => parseRedisUrl('redis+cluster://app:topsecret@n1:7000/1')).toThrow(/app:\*\*\*@/);
    expect(() => parseRedisUrl('redis+cluster://app:topsecret@n1:7000/1')).not.toThrow(/topsecret/);
    expect(redact('redis://:pw@h:1')).toBe('redis://:***@h:1');
  });
});
