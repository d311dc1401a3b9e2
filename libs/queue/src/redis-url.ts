import { InvalidInput } from '@flowctl/core';
import Redis, { Cluster, type RedisOptions } from 'ioredis';

export interface RedisNode {
  host: string;
  port: number;
}

interface Credentials {
  username?: string;
  password?: string;
  tls: boolean;
}

/** Where the queues live, as REDIS_URL names it. */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | ({ kind: 'sentinel'; sentinels: RedisNode[]; masterName: string; db: number; sentinelPassword?: string } & Credentials)
  | ({ kind: 'cluster'; nodes: RedisNode[] } & Credentials);

export const REDIS_URL_FORMS =
  'redis://[user:password@]host:port[/db], rediss://..., ' +
  'redis+sentinel://[user:password@]host:26379[,host:26379...]/master-name[/db][?sentinelPassword=...] ' +
  'or redis+cluster://[user:password@]host:7000[,host:7001...] (rediss+sentinel:// and rediss+cluster:// for TLS)';

const DEFAULT_PORT = { sentinel: 26379, cluster: 6379 } as const;

const invalid = (url: string, why: string) => new InvalidInput(`REDIS_URL "${redact(url)}" ${why}; use ${REDIS_URL_FORMS}`);

/** A password never reaches a log or an error message. */
export function redact(url: string): string {
  return url.replace(/\/\/([^@/]*):([^@/]*)@/, '//$1:***@');
}

/**
 * One Redis (`redis://`, `rediss://`), Redis Sentinel (`redis+sentinel://`,
 * several sentinels and the master's name) or Redis Cluster (`redis+cluster://`,
 * some seed nodes). Several hosts do not fit WHATWG URL parsing, so the
 * multi-host forms are read here.
 */
export function parseRedisUrl(url: string): RedisTarget {
  const scheme = /^([a-z+]+):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'redis' || scheme === 'rediss') {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw invalid(url, 'is not a URL');
    }
    if (!parsed.hostname) throw invalid(url, 'names no host');
    if (parsed.pathname.length > 1 && !/^\/\d+$/.test(parsed.pathname)) throw invalid(url, 'has a path that is not a database number');
    return { kind: 'single', url };
  }
  const mode =
    scheme === 'redis+sentinel' || scheme === 'rediss+sentinel'
      ? 'sentinel'
      : scheme === 'redis+cluster' || scheme === 'rediss+cluster'
        ? 'cluster'
        : undefined;
  if (!mode) throw invalid(url, 'has an unknown scheme');

  const rest = url.slice(scheme!.length + 3);
  const [beforeQuery, query = ''] = splitOnce(rest, '?');
  const [authority, path = ''] = splitOnce(beforeQuery, '/');
  const at = authority.lastIndexOf('@');
  const userInfo = at >= 0 ? authority.slice(0, at) : undefined;
  const nodes = parseHosts(url, at >= 0 ? authority.slice(at + 1) : authority, DEFAULT_PORT[mode]);
  const credentials: Credentials = { tls: scheme!.startsWith('rediss'), ...parseUserInfo(url, userInfo) };
  const params = new URLSearchParams(query);

  if (mode === 'cluster') {
    if (path !== '') throw invalid(url, 'has a path, but Redis Cluster has only database 0');
    if ([...params.keys()].length > 0) throw invalid(url, 'has query parameters a cluster URL does not take');
    return { kind: 'cluster', nodes, ...credentials };
  }
  const [masterName = '', db = '0', ...extra] = path.split('/');
  if (!masterName) throw invalid(url, 'names no master (…/master-name)');
  if (extra.length > 0 || !/^\d+$/.test(db)) throw invalid(url, 'has a database that is not a number');
  for (const key of params.keys()) if (key !== 'sentinelPassword') throw invalid(url, `has an unknown parameter "${key}"`);
  return {
    kind: 'sentinel',
    sentinels: nodes,
    masterName: decodeURIComponent(masterName),
    db: Number(db),
    ...credentials,
    ...(params.has('sentinelPassword') ? { sentinelPassword: params.get('sentinelPassword')! } : {}),
  };
}

function splitOnce(text: string, separator: string): [string, string?] {
  const index = text.indexOf(separator);
  return index < 0 ? [text] : [text.slice(0, index), text.slice(index + 1)];
}

function parseUserInfo(url: string, userInfo: string | undefined): { username?: string; password?: string } {
  if (userInfo === undefined) return {};
  const [user, password] = splitOnce(userInfo, ':');
  try {
    return {
      ...(user ? { username: decodeURIComponent(user) } : {}),
      ...(password !== undefined ? { password: decodeURIComponent(password) } : {}),
    };
  } catch {
    throw invalid(url, 'has a badly escaped user or password');
  }
}

function parseHosts(url: string, hosts: string, defaultPort: number): RedisNode[] {
  if (!hosts) throw invalid(url, 'names no host');
  return hosts.split(',').map((entry) => {
    // [::1]:7000 for IPv6, host:port otherwise.
    const match = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9][-a-z0-9_.]*))(?::(\d{1,5}))?$/i.exec(entry.trim());
    const port = match?.[3] === undefined ? defaultPort : Number(match[3]);
    if (!match || port < 1 || port > 65535) throw invalid(url, `has "${entry}", which is not host:port`);
    return { host: match[1] ?? match[2]!, port };
  });
}

/**
 * What BullMQ takes as its `connection`: options for one Redis or a Sentinel
 * group (BullMQ opens its own connections from them), or an ioredis Cluster
 * (BullMQ shares it and duplicates it for blocking reads; the caller closes it).
 */
export function bullConnection(target: RedisTarget): RedisOptions | Cluster {
  const bullmq = { maxRetriesPerRequest: null };
  switch (target.kind) {
    case 'single':
      return { url: target.url, ...bullmq } as RedisOptions;
    case 'sentinel':
      return { ...sentinelOptions(target), ...bullmq };
    case 'cluster':
      return newCluster(target, bullmq);
  }
}

/** A client of one's own (a settings check, a test's clean-up); the caller disconnects it. */
export function openRedis(target: RedisTarget, options: RedisOptions = {}): Redis | Cluster {
  switch (target.kind) {
    case 'single':
      return new Redis(target.url, options);
    case 'sentinel':
      return new Redis({ ...sentinelOptions(target), ...options });
    case 'cluster':
      return newCluster(target, options);
  }
}

function sentinelOptions(target: Extract<RedisTarget, { kind: 'sentinel' }>): RedisOptions {
  return {
    sentinels: target.sentinels,
    name: target.masterName,
    db: target.db,
    ...(target.username ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(target.sentinelPassword !== undefined ? { sentinelPassword: target.sentinelPassword } : {}),
    ...(target.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
  };
}

function newCluster(target: Extract<RedisTarget, { kind: 'cluster' }>, redisOptions: RedisOptions): Cluster {
  return new Cluster(target.nodes, {
    redisOptions: {
      ...(target.username ? { username: target.username } : {}),
      ...(target.password !== undefined ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
      ...redisOptions,
    },
    // Commands issued while the cluster re-elects or re-slots wait instead of failing at once.
    enableOfflineQueue: true,
    lazyConnect: redisOptions.lazyConnect,
  });
}
