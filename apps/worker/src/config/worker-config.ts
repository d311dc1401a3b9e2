import { InvalidInput, parseDuration } from '@flowctl/core';
import { SecretKeyring } from '@flowctl/queue';
import { loadObservabilityConfig, ObservabilityConfigError, type ObservabilityConfig } from '@flowctl/observability';
import { parseRedisUrl } from '@flowctl/queue';

export const BUILT_IN_TYPES = ['noop', 'sleep', 'fail', 'shell', 'http'] as const;

/** Enough for a command to find programs and write files; nothing the worker authenticates with. */
const SHELL_INHERITED_VARIABLES = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER'];

export interface WorkerConfig {
  redisUrl?: string;
  /** Only for BullMQ's PostgreSQL backend (`flowctl dev` without Redis); a worker never touches flowctl's tables. */
  queueDatabaseUrl?: string;
  queuePrefix: string;
  /** type -> concurrency */
  types: Record<string, number>;
  shellEnabled: boolean;
  /** The part of the worker's environment a shell command sees: no credentials (REDIS_URL, DATABASE_URL, keys). */
  shellEnvironment: Record<string, string>;
  /** What `http` tasks may reach and read (FLOWCTL_HTTP_ALLOWLIST, FLOWCTL_HTTP_MAX_RESPONSE, FLOWCTL_HTTP_TIMEOUT). */
  http: { allowlist: string[]; maxResponseBytes: number; timeoutMs: number; maxRedirects: number };
  /** How often the worker registers itself (its heartbeat); keep it well under the scheduler's FLOWCTL_WORKER_LOST_AFTER. */
  heartbeatIntervalMs: number;
  /** FLOWCTL_SECRET_KEY (the scheduler's): opens the secrets a task reads. Absent: tasks that read secrets fail. */
  secretKeyring?: SecretKeyring;
  /** `/metrics` and `/healthz` on this port (METRICS_PORT); absent: no HTTP server, so several workers can share a host. */
  metricsPort?: number;
  metricsHost: string;
  observability: ObservabilityConfig;
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
  const metricsPort = env.METRICS_PORT ? Number(env.METRICS_PORT) : undefined;
  if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535))
    throw new InvalidInput(`METRICS_PORT must be a port number, got ${env.METRICS_PORT}`);
  let observability: ObservabilityConfig;
  try {
    observability = loadObservabilityConfig(env, 'flowctl-worker');
  } catch (error) {
    if (error instanceof ObservabilityConfigError) throw new InvalidInput(error.message);
    throw error;
  }
  const httpTimeoutMs = parseDuration(env.FLOWCTL_HTTP_TIMEOUT ?? '30s');
  if (!httpTimeoutMs) throw new InvalidInput('FLOWCTL_HTTP_TIMEOUT must be a duration such as 30s');
  const maxResponseBytes = Number(env.FLOWCTL_HTTP_MAX_RESPONSE ?? 1_048_576);
  // A task's output is bounded at 1 MiB anyway: a larger body could never be reported.
  if (!Number.isInteger(maxResponseBytes) || maxResponseBytes < 1 || maxResponseBytes > 1_048_576)
    throw new InvalidInput('FLOWCTL_HTTP_MAX_RESPONSE must be a number of bytes from 1 to 1048576');
  const shutdownGraceMs = parseDuration(env.FLOWCTL_WORKER_GRACE ?? '10s');
  if (shutdownGraceMs === undefined) throw new InvalidInput('FLOWCTL_WORKER_GRACE must be a duration such as 30s');
  return {
    redisUrl: env.REDIS_URL || undefined,
    queueDatabaseUrl: env.REDIS_URL ? undefined : queueDatabaseUrl,
    queuePrefix: env.FLOWCTL_QUEUE_PREFIX ?? 'flowctl',
    types,
    shellEnabled,
    shellEnvironment: Object.fromEntries(SHELL_INHERITED_VARIABLES.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]]))),
    http: {
      allowlist: (env.FLOWCTL_HTTP_ALLOWLIST ?? '*')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
      maxResponseBytes,
      timeoutMs: httpTimeoutMs,
      maxRedirects: 5,
    },
    heartbeatIntervalMs,
    secretKeyring: SecretKeyring.fromConfig(env.FLOWCTL_SECRET_KEY, env.FLOWCTL_SECRET_PREVIOUS_KEYS),
    metricsPort,
    metricsHost: env.METRICS_HOST ?? '0.0.0.0',
    observability,
    shutdownGraceMs,
  };
}
