import { InvalidInput, parseDuration } from '@flowctl/core';
import { parseRedisUrl } from '@flowctl/queue';

export const BUILT_IN_TYPES = ['noop', 'sleep', 'fail', 'shell', 'http'] as const;

export interface WorkerConfig {
  redisUrl?: string;
  /** Only for BullMQ's PostgreSQL backend (`flowctl dev` without Redis); a worker never touches flowctl's tables. */
  queueDatabaseUrl?: string;
  queuePrefix: string;
  /** type -> concurrency */
  types: Record<string, number>;
  shellEnabled: boolean;
  httpAllowlist: string[];
  /** How often the worker registers itself (its heartbeat); keep it well under the scheduler's FLOWCTL_WORKER_LOST_AFTER. */
  heartbeatIntervalMs: number;
  /** After SIGTERM: how long running tasks may finish before the rest are handed back to be retried elsewhere. */
  shutdownGraceMs: number;
}

/**
 * `WORKER_TYPES=noop,http:20` serves noop at WORKER_CONCURRENCY and http at 20.
 * The shell type is served only when FLOWCTL_SHELL_ENABLED=true, whatever WORKER_TYPES says.
 */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const concurrency = Number(env.WORKER_CONCURRENCY ?? 10);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000)
    throw new InvalidInput('WORKER_CONCURRENCY must be a whole number from 1 to 10000');
  const shellEnabled = env.FLOWCTL_SHELL_ENABLED === 'true' || env.FLOWCTL_SHELL_ENABLED === '1';
  const types: Record<string, number> = {};
  const requested = (env.WORKER_TYPES ?? BUILT_IN_TYPES.join(','))
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const entry of requested) {
    const [type, limit] = entry.split(':');
    if (!type || !/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/.test(type)) throw new InvalidInput(`WORKER_TYPES: "${entry}" is not a task type`);
    const typeConcurrency = limit === undefined ? concurrency : Number(limit);
    if (!Number.isInteger(typeConcurrency) || typeConcurrency < 1)
      throw new InvalidInput(`WORKER_TYPES: concurrency in "${entry}" must be a whole number`);
    if (type === 'shell' && !shellEnabled) continue;
    types[type] = typeConcurrency;
  }
  // Parsed here so a bad form stops the start with its reason (InvalidInput), not deep in a connection.
  if (env.REDIS_URL) parseRedisUrl(env.REDIS_URL);
  const queueDatabaseUrl = env.FLOWCTL_QUEUE_DATABASE_URL ?? env.DATABASE_URL;
  if (!env.REDIS_URL && !queueDatabaseUrl) throw new InvalidInput('set REDIS_URL (or DATABASE_URL for queues on PostgreSQL)');
  const heartbeatIntervalMs = parseDuration(env.FLOWCTL_WORKER_HEARTBEAT_INTERVAL ?? '5s');
  if (!heartbeatIntervalMs || heartbeatIntervalMs < 100)
    throw new InvalidInput('FLOWCTL_WORKER_HEARTBEAT_INTERVAL must be a duration of at least 100ms');
  const shutdownGraceMs = parseDuration(env.FLOWCTL_WORKER_GRACE ?? '10s');
  if (shutdownGraceMs === undefined) throw new InvalidInput('FLOWCTL_WORKER_GRACE must be a duration such as 30s');
  return {
    redisUrl: env.REDIS_URL || undefined,
    queueDatabaseUrl: env.REDIS_URL ? undefined : queueDatabaseUrl,
    queuePrefix: env.FLOWCTL_QUEUE_PREFIX ?? 'flowctl',
    types,
    shellEnabled,
    httpAllowlist: (env.FLOWCTL_HTTP_ALLOWLIST ?? '*')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    heartbeatIntervalMs,
    shutdownGraceMs,
  };
}
