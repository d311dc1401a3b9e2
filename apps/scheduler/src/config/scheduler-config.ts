import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { InvalidInput, parseDuration } from '@flowctl/core';
import { SecretKeyring } from '@flowctl/queue';
import { loadObservabilityConfig, ObservabilityConfigError, type ObservabilityConfig } from '@flowctl/observability';
import { parseRedisUrl } from '@flowctl/queue';

export interface SchedulerConfig {
  port: number;
  host: string;
  databaseUrl: string;
  /** Absent: queues run on BullMQ's PostgreSQL backend in the same database. */
  redisUrl?: string;
  queuePrefix: string;
  schedulerId: string;
  leaseTtlMs: number;
  /** How many worker reports one engine transaction applies at most. */
  resultBatchSize: number;
  databasePoolSize: number;
  /** Built dashboard to serve under `/`, when present. */
  webRoot?: string;
  /** Task type -> tasks of that type running at once across all workers (`FLOWCTL_TYPE_CONCURRENCY=http:20,shell:2`). */
  typeConcurrency: Record<string, number>;
  /** A worker silent for this long is lost and its running attempts fail at once as WorkerLost. */
  workerLostAfterMs: number;
  /** How often the leader checks the queues against PostgreSQL, and how old a queued task must be to count as missing. */
  reconcileIntervalMs: number;
  /** After SIGTERM, how long the API keeps answering (readiness 503) before it closes, for load balancers to notice. */
  shutdownDrainMs: number;
  /** LOG_LEVEL, LOG_FORMAT and the OTEL_* variables. */
  observability: ObservabilityConfig;
  /** Requests per client (token bucket); undefined when FLOWCTL_RATE_LIMIT=0. */
  rateLimit?: { perSecond: number; burst: number };
  /** Origins whose pages may call the API from a browser (FLOWCTL_CORS_ORIGINS); empty: none, CORS off. */
  corsOrigins: string[];
  auth: AuthConfig;
  /** Finished runs older than this are pruned with their tasks, events and dead letters; null keeps them for ever. */
  retentionMs: number | null;
  /** FLOWCTL_SECRET_KEY (and FLOWCTL_SECRET_PREVIOUS_KEYS): seals secrets. Absent: secrets cannot be set. */
  secretKeyring?: SecretKeyring;
  /** FLOWCTL_TASK_LOG_LIMIT: bytes of log kept per attempt; past it the oldest lines are dropped. */
  taskLogLimitBytes: number;
}

export interface JwtConfig {
  /** HS256 shared secret (`FLOWCTL_JWT_SECRET`) ... */
  secret?: string;
  /** ... or where the identity provider publishes its RS256/ES256 keys (`FLOWCTL_JWKS_URL`). */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  roleClaim: string;
  namespacesClaim: string;
}

export interface AuthConfig {
  /** `FLOWCTL_ADMIN_TOKEN`: an admin of every namespace, how a fresh install gets its first token. */
  adminToken?: string;
  jwt?: JwtConfig;
}

export const SCHEDULER_CONFIG = Symbol('SCHEDULER_CONFIG');

/** Read once at start; nothing deeper in the code looks at process.env. */
export function loadSchedulerConfig(env: NodeJS.ProcessEnv = process.env): SchedulerConfig {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new InvalidInput('DATABASE_URL must be set to a postgres:// URL');
  }
  // Parsed here so a bad form stops the start with its reason (InvalidInput), not deep in a connection.
  if (env.REDIS_URL) parseRedisUrl(env.REDIS_URL);
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidInput(`PORT must be a port number, got ${env.PORT}`);
  const leaseTtlMs = parseDuration(env.FLOWCTL_LEASE_TTL ?? '10s');
  if (!leaseTtlMs || leaseTtlMs < 1000) throw new InvalidInput('FLOWCTL_LEASE_TTL must be a duration of at least 1s');
  const workerLostAfterMs = parseDuration(env.FLOWCTL_WORKER_LOST_AFTER ?? '15s');
  if (!workerLostAfterMs || workerLostAfterMs < 1000) throw new InvalidInput('FLOWCTL_WORKER_LOST_AFTER must be a duration of at least 1s');
  const reconcileIntervalMs = parseDuration(env.FLOWCTL_RECONCILE_INTERVAL ?? '30s');
  if (!reconcileIntervalMs || reconcileIntervalMs < 1000)
    throw new InvalidInput('FLOWCTL_RECONCILE_INTERVAL must be a duration of at least 1s');
  const shutdownDrainMs = parseDuration(env.FLOWCTL_SHUTDOWN_DRAIN ?? '0s');
  if (shutdownDrainMs === undefined) throw new InvalidInput('FLOWCTL_SHUTDOWN_DRAIN must be a duration such as 5s');
  const retention = (env.FLOWCTL_RETENTION ?? '30d').trim();
  const retentionMs = retention === 'off' ? 0 : parseDuration(retention);
  if (retentionMs === undefined) throw new InvalidInput('FLOWCTL_RETENTION must be a duration such as 30d, or 0/off to keep runs for ever');
  // A malformed key stops the start here, rather than sealing secrets nobody can open later.
  const secretKeyring = SecretKeyring.fromConfig(env.FLOWCTL_SECRET_KEY, env.FLOWCTL_SECRET_PREVIOUS_KEYS);
  let observability: ObservabilityConfig;
  try {
    observability = loadObservabilityConfig(env, 'flowctl-scheduler');
  } catch (error) {
    if (error instanceof ObservabilityConfigError) throw new InvalidInput(error.message);
    throw error;
  }
  return {
    rateLimit: parseRateLimit(env.FLOWCTL_RATE_LIMIT ?? DEFAULT_RATE_LIMIT, env.FLOWCTL_RATE_LIMIT_BURST),
    corsOrigins: parseCorsOrigins(env.FLOWCTL_CORS_ORIGINS ?? ''),
    secretKeyring,
    port,
    host: env.HOST ?? '0.0.0.0',
    databaseUrl,
    redisUrl: env.REDIS_URL || undefined,
    queuePrefix: env.FLOWCTL_QUEUE_PREFIX ?? 'flowctl',
    schedulerId: env.FLOWCTL_SCHEDULER_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    leaseTtlMs,
    resultBatchSize: Number(env.FLOWCTL_RESULT_BATCH ?? 500),
    databasePoolSize: Number(env.FLOWCTL_DB_POOL ?? 10),
    webRoot: env.FLOWCTL_WEB_ROOT || undefined,
    typeConcurrency: parseTypeConcurrency(env.FLOWCTL_TYPE_CONCURRENCY ?? ''),
    workerLostAfterMs,
    reconcileIntervalMs,
    shutdownDrainMs,
    observability,
    auth: loadAuthConfig(env),
    retentionMs: retentionMs === 0 ? null : retentionMs,
    taskLogLimitBytes: parseByteSize('FLOWCTL_TASK_LOG_LIMIT', env.FLOWCTL_TASK_LOG_LIMIT ?? '10MiB'),
  };
}

/** A bearer secret shorter than this is guessable; refuse to start with one. */
const MIN_SECRET_LENGTH = 16;

function loadAuthConfig(env: NodeJS.ProcessEnv): AuthConfig {
  const adminToken = env.FLOWCTL_ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && adminToken.length < MIN_SECRET_LENGTH)
    throw new InvalidInput(`FLOWCTL_ADMIN_TOKEN must be at least ${MIN_SECRET_LENGTH} characters (use: openssl rand -hex 32)`);
  const secret = env.FLOWCTL_JWT_SECRET || undefined;
  const jwksUrl = env.FLOWCTL_JWKS_URL || undefined;
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH)
    throw new InvalidInput(`FLOWCTL_JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  if (secret && jwksUrl) throw new InvalidInput('set FLOWCTL_JWT_SECRET or FLOWCTL_JWKS_URL, not both');
  if (jwksUrl && !/^https?:\/\//.test(jwksUrl)) throw new InvalidInput('FLOWCTL_JWKS_URL must be an http(s) URL');
  const jwt: JwtConfig | undefined =
    secret || jwksUrl
      ? {
          secret,
          jwksUrl,
          issuer: env.FLOWCTL_JWT_ISSUER || undefined,
          audience: env.FLOWCTL_JWT_AUDIENCE || undefined,
          roleClaim: env.FLOWCTL_JWT_ROLE_CLAIM || 'role',
          namespacesClaim: env.FLOWCTL_JWT_NAMESPACES_CLAIM || 'namespaces',
        }
      : undefined;
  return { adminToken, jwt };
}

function parseTypeConcurrency(value: string): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const entry of value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [type, limit] = entry.split(':');
    const number = Number(limit);
    if (!type || !/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/.test(type) || !Number.isInteger(number) || number < 1) {
      throw new InvalidInput(`FLOWCTL_TYPE_CONCURRENCY: "${entry}" should look like http:20`);
    }
    limits[type] = number;
  }
  return limits;
}

/**
 * Generous on purpose: one client of a 2-core scheduler rarely needs more, and
 * the test suite and `npm run bench` (many polls from one address) stay under it.
 */
export const DEFAULT_RATE_LIMIT = '1000/s';

/** `100/s`, `6000/m` or `0` (off); the burst defaults to two seconds' worth. */
export function parseRateLimit(value: string, burstValue?: string): SchedulerConfig['rateLimit'] {
  if (value.trim() === '0') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(s|m|h)\s*$/.exec(value);
  const perUnit = match ? Number(match[1]) : NaN;
  if (!match || !(perUnit > 0)) throw new InvalidInput(`FLOWCTL_RATE_LIMIT must look like 100/s, 6000/m or 0 (off), got "${value}"`);
  const perSecond = perUnit / { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
  const burst = burstValue === undefined || burstValue === '' ? Math.max(1, Math.ceil(perSecond * 2)) : Number(burstValue);
  if (!Number.isInteger(burst) || burst < 1)
    throw new InvalidInput(`FLOWCTL_RATE_LIMIT_BURST must be a whole number of requests, got "${burstValue}"`);
  return { perSecond, burst };
}

/** Exact origins (`https://ops.example.com`), comma separated; a path or a typo is refused at start rather than silently never matching. */
function parseCorsOrigins(value: string): string[] {
  return value
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean)
    .map((origin) => {
      let url: URL | undefined;
      try {
        url = new URL(origin);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin.replace(/\/$/, '')) {
        throw new InvalidInput(`FLOWCTL_CORS_ORIGINS: "${origin}" is not an origin such as https://ops.example.com`);
      }
      return url.origin;
    });
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};
/** The smallest cap that still holds a few full lines (a line is at most 64 KiB). */
const MIN_TASK_LOG_LIMIT = 1024;

/** `10MiB`, `512KiB`, `4096` (bytes); units are powers of 1024. */
export function parseByteSize(name: string, text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? BYTE_UNITS[match[2]!.toLowerCase()] : undefined;
  const bytes = match && unit ? Math.floor(Number(match[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < MIN_TASK_LOG_LIMIT)
    throw new InvalidInput(`${name} must be a size of at least ${MIN_TASK_LOG_LIMIT} bytes such as 10MiB or 512KiB, got ${text}`);
  return bytes;
}
