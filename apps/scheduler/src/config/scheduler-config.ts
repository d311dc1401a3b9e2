import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { defineEnvironment, env, EnvValueInvalid, InvalidInput, parseDuration } from '@flowctl/core';
import { SecretKeyring } from '@flowctl/queue';
import { loadObservabilityConfig, ObservabilityConfigError, type ObservabilityConfig } from '@flowctl/observability';
import { parseRedisUrl } from '@flowctl/queue';
import { packagedDashboard } from './packaged-dashboard';

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
  notifications: NotificationConfig;
}

/** How run notifications (spec.notify) are sent: FLOWCTL_NOTIFY_* and FLOWCTL_DASHBOARD_URL. */
export interface NotificationConfig {
  /** Hosts webhooks may reach, as FLOWCTL_HTTP_ALLOWLIST says for http tasks: `*` is any public address. */
  allowlist: string[];
  maxAttempts: number;
  maxAgeMs: number;
  initialIntervalMs: number;
  maxIntervalMs: number;
  /** Time limit of one POST. */
  timeoutMs: number;
  /** The dashboard's address, for the run link a notification carries. */
  dashboardUrl?: string;
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
const DEFAULT_RATE_LIMIT_TEXT = '1000/s';

/** A bearer secret shorter than this is guessable; refuse to start with one. */
const MIN_SECRET_LENGTH = 16;
const TASK_TYPE = /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/;
const longSecret = (text: string) =>
  text.length >= MIN_SECRET_LENGTH ? text : fail(`must be at least ${MIN_SECRET_LENGTH} characters (use: openssl rand -hex 32)`);
const fail = (expectation: string): never => {
  throw new EnvValueInvalid(expectation);
};

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
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? BYTE_UNITS[match[2]!.toLowerCase()] : undefined;
  const bytes = match && unit ? Math.floor(Number(match[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < MIN_TASK_LOG_LIMIT)
    fail(`must be a size of at least ${MIN_TASK_LOG_LIMIT} bytes such as 10MiB or 512KiB`);
  return bytes;
}

/**
 * Every variable the scheduler reads, with its default and meaning: read once
 * at start (a bad one stops it, named), and printed as the table in
 * docs/configuration.md. LOG_* and OTEL_* are the observability library's.
 */
export const SCHEDULER_ENVIRONMENT = defineEnvironment({
  databaseUrl: env.url('DATABASE_URL', {
    schemes: ['postgres', 'postgresql'],
    required: true,
    secret: true,
    description: 'PostgreSQL holding definitions, runs and their history (migrations are applied at start).',
  }),
  redisUrl: env.custom(
    'REDIS_URL',
    {
      secret: true,
      description:
        "Redis for the queues (redis://, rediss://, redis+sentinel:// or redis+cluster://). Unset: queues on BullMQ's PostgreSQL backend in DATABASE_URL.",
    },
    (text) => (parseRedisUrl(text), text),
    undefined as string | undefined,
  ),
  port: env.integer('PORT', { default: 8080, min: 0, max: 65535, description: 'Port of the REST API, the dashboard and /metrics.' }),
  host: env.text('HOST', {
    default: '0.0.0.0',
    description:
      'Address the API listens on; while no authentication is configured the scheduler listens on 127.0.0.1 whatever HOST says, and logs a line saying so.',
  }),
  queuePrefix: env.text('FLOWCTL_QUEUE_PREFIX', {
    default: 'flowctl',
    pattern: /^[A-Za-z0-9_-]{1,64}$/,
    expect: 'letters, digits, - and _ (at most 64)',
    description: 'Namespaces every queue key (or PostgreSQL queue schema): installations sharing a Redis use different prefixes.',
  }),
  schedulerId: env.text('FLOWCTL_SCHEDULER_ID', { description: "This instance's id in GET /cluster; default host-pid-random." }),
  leaseTtlMs: env.duration('FLOWCTL_LEASE_TTL', {
    default: '10s',
    min: 1_000,
    description: "Leader lease: a standby takes the leader's duties within this long after it dies.",
  }),
  workerLostAfterMs: env.duration('FLOWCTL_WORKER_LOST_AFTER', {
    default: '15s',
    min: 1_000,
    description: 'A worker silent this long is lost; its running attempts fail at once as WorkerLost and are retried.',
  }),
  reconcileIntervalMs: env.duration('FLOWCTL_RECONCILE_INTERVAL', {
    default: '30s',
    min: 1_000,
    description: 'How often the leader checks the queues against PostgreSQL and re-enqueues missing tasks.',
  }),
  shutdownDrainMs: env.duration('FLOWCTL_SHUTDOWN_DRAIN', {
    default: '0s',
    description: 'After SIGTERM, how long /readyz answers 503 before the API closes, for load balancers.',
  }),
  resultBatchSize: env.integer('FLOWCTL_RESULT_BATCH', {
    default: 500,
    min: 1,
    max: 10_000,
    unit: 'reports',
    description: 'Worker reports applied in one engine transaction at most.',
  }),
  databasePoolSize: env.integer('FLOWCTL_DB_POOL', {
    default: 10,
    min: 1,
    max: 1_000,
    unit: 'connections',
    description: 'PostgreSQL connections of this scheduler.',
  }),
  webRoot: env.text('FLOWCTL_WEB_ROOT', {
    description:
      'Folder of the built dashboard to serve under /; unset: the dashboard built or packaged beside this scheduler; empty: none.',
  }),
  typeConcurrency: env.custom(
    'FLOWCTL_TYPE_CONCURRENCY',
    { description: 'Tasks of a type running at once across all workers, e.g. http:20,shell:2.' },
    parseTypeConcurrency,
    {} as Record<string, number>,
  ),
  retentionMs: env.custom(
    'FLOWCTL_RETENTION',
    {
      default: '30d',
      description:
        'Finished runs older than this are pruned with their tasks, events, logs and dead letters, and so are received events (docs/events.md); 0 or off keeps them.',
    },
    (text) => {
      const ms = text.trim() === 'off' ? 0 : parseDuration(text);
      return ms === undefined ? fail('must be a duration such as 30d, or 0/off to keep runs for ever') : ms === 0 ? null : ms;
    },
    null as number | null,
  ),
  rateLimit: env.custom(
    'FLOWCTL_RATE_LIMIT',
    {
      default: DEFAULT_RATE_LIMIT_TEXT,
      description:
        'Requests per client (its bearer token once accepted, else its address): 100/s, 6000/m, 50000/h, or 0 (off). Over it: 429 with Retry-After. /healthz, /readyz and /metrics are exempt.',
    },
    (text) => text,
    DEFAULT_RATE_LIMIT_TEXT,
  ),
  rateLimitBurst: env.integer('FLOWCTL_RATE_LIMIT_BURST', {
    min: 1,
    max: 1_000_000,
    unit: 'requests',
    description: "Burst of the rate limit; default two seconds' worth.",
  }),
  corsOrigins: env.custom(
    'FLOWCTL_CORS_ORIGINS',
    { description: 'Origins whose pages may call the API from a browser, comma separated; unset: CORS off.' },
    parseCorsOrigins,
    [] as string[],
  ),
  adminToken: env.custom(
    'FLOWCTL_ADMIN_TOKEN',
    {
      secret: true,
      description: 'Turns auth on: a bearer token that is admin of every namespace (how a fresh install gets its first token).',
    },
    longSecret,
    undefined as string | undefined,
  ),
  jwtSecret: env.custom(
    'FLOWCTL_JWT_SECRET',
    { secret: true, description: 'Accept HS256 JWTs signed with this secret.' },
    longSecret,
    undefined as string | undefined,
  ),
  jwksUrl: env.url('FLOWCTL_JWKS_URL', {
    schemes: ['http', 'https'],
    description: 'Accept RS256/ES256 JWTs whose keys the identity provider publishes here.',
  }),
  jwtIssuer: env.text('FLOWCTL_JWT_ISSUER', { description: 'Required `iss` of JWTs.' }),
  jwtAudience: env.text('FLOWCTL_JWT_AUDIENCE', { description: 'Required `aud` of JWTs.' }),
  jwtRoleClaim: env.text('FLOWCTL_JWT_ROLE_CLAIM', { default: 'role', description: 'JWT claim holding the role.' }),
  jwtNamespacesClaim: env.text('FLOWCTL_JWT_NAMESPACES_CLAIM', { default: 'namespaces', description: 'JWT claim holding the namespaces.' }),
  taskLogLimitBytes: env.custom(
    'FLOWCTL_TASK_LOG_LIMIT',
    {
      default: '10MiB',
      description: 'Log kept per task attempt (10MiB, 512KiB, or bytes; at least 1KiB): past it the oldest lines are dropped and counted.',
    },
    (text) => parseByteSize(text),
    10 * 1024 ** 2,
  ),
  secretKey: env.text('FLOWCTL_SECRET_KEY', {
    secret: true,
    description:
      'Key of 32 bytes (64 hex digits or base64: openssl rand -base64 32) sealing secrets; workers need the same key to open them. Unset: secrets cannot be set.',
  }),
  notifyAllowlist: env.text('FLOWCTL_NOTIFY_ALLOWLIST', {
    default: '*',
    description:
      'Hosts notification webhooks (spec.notify) may call, as FLOWCTL_HTTP_ALLOWLIST for http tasks: * is any public address; loopback, private and metadata addresses need an entry naming the host exactly.',
  }),
  notifyMaxAttempts: env.integer('FLOWCTL_NOTIFY_MAX_ATTEMPTS', {
    default: 10,
    min: 1,
    max: 100,
    unit: 'attempts',
    description: 'Attempts at a notification delivery, the first included, before it is given up as failed.',
  }),
  notifyMaxAgeMs: env.duration('FLOWCTL_NOTIFY_MAX_AGE', {
    default: '24h',
    min: 1,
    description: 'No attempt at a notification delivery starts later than this after the run ended.',
  }),
  notifyRetryInitialMs: env.duration('FLOWCTL_NOTIFY_RETRY_INITIAL', {
    default: '10s',
    min: 1,
    description: 'Wait before the second attempt at a delivery; each later wait doubles, up to FLOWCTL_NOTIFY_RETRY_MAX.',
  }),
  notifyRetryMaxMs: env.duration('FLOWCTL_NOTIFY_RETRY_MAX', {
    default: '1h',
    min: 1,
    description: 'Longest wait between two attempts at a delivery.',
  }),
  notifyTimeoutMs: env.duration('FLOWCTL_NOTIFY_TIMEOUT', {
    default: '10s',
    min: 1,
    description: 'Time limit of one notification POST (connecting, sending and the answer).',
  }),
  dashboardUrl: env.url('FLOWCTL_DASHBOARD_URL', {
    schemes: ['http', 'https'],
    description: "The dashboard's public address (https://flowctl.example.com): notifications link to the run's page under it.",
  }),
  previousSecretKeys: env.text('FLOWCTL_SECRET_PREVIOUS_KEYS', {
    secret: true,
    description: 'Earlier keys, comma separated, still accepted for opening during a key rotation.',
  }),
});

/** Read once at start; nothing deeper in the code looks at process.env. */
export function loadSchedulerConfig(source: NodeJS.ProcessEnv = process.env): SchedulerConfig {
  const values = SCHEDULER_ENVIRONMENT.read(source);
  if (values.jwtSecret && values.jwksUrl) throw new InvalidInput('set FLOWCTL_JWT_SECRET or FLOWCTL_JWKS_URL, not both');
  // A malformed key stops the start here, rather than sealing secrets nobody can open later.
  const secretKeyring = SecretKeyring.fromConfig(values.secretKey, values.previousSecretKeys);
  let observability: ObservabilityConfig;
  try {
    observability = loadObservabilityConfig(source, 'flowctl-scheduler');
  } catch (error) {
    if (error instanceof ObservabilityConfigError) throw new InvalidInput(error.message);
    throw error;
  }
  const jwt: JwtConfig | undefined =
    values.jwtSecret || values.jwksUrl
      ? {
          secret: values.jwtSecret,
          jwksUrl: values.jwksUrl,
          issuer: values.jwtIssuer,
          audience: values.jwtAudience,
          roleClaim: values.jwtRoleClaim ?? 'role',
          namespacesClaim: values.jwtNamespacesClaim ?? 'namespaces',
        }
      : undefined;
  return {
    rateLimit: parseRateLimit(values.rateLimit, source.FLOWCTL_RATE_LIMIT_BURST),
    corsOrigins: values.corsOrigins,
    secretKeyring,
    port: values.port!,
    host: values.host!,
    databaseUrl: values.databaseUrl!,
    redisUrl: values.redisUrl,
    queuePrefix: values.queuePrefix!,
    schedulerId: values.schedulerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    leaseTtlMs: values.leaseTtlMs!,
    resultBatchSize: values.resultBatchSize!,
    databasePoolSize: values.databasePoolSize!,
    // Unset: the dashboard packaged with this scheduler; set but empty: no dashboard.
    webRoot: source.FLOWCTL_WEB_ROOT === undefined ? packagedDashboard() : values.webRoot,
    typeConcurrency: values.typeConcurrency,
    workerLostAfterMs: values.workerLostAfterMs!,
    reconcileIntervalMs: values.reconcileIntervalMs!,
    shutdownDrainMs: values.shutdownDrainMs!,
    observability,
    auth: { adminToken: values.adminToken, jwt },
    retentionMs: values.retentionMs,
    taskLogLimitBytes: values.taskLogLimitBytes,
    notifications: {
      allowlist: values
        .notifyAllowlist!.split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
      maxAttempts: values.notifyMaxAttempts!,
      maxAgeMs: values.notifyMaxAgeMs!,
      initialIntervalMs: values.notifyRetryInitialMs!,
      maxIntervalMs: values.notifyRetryMaxMs!,
      timeoutMs: values.notifyTimeoutMs!,
      dashboardUrl: values.dashboardUrl?.replace(/\/+$/, ''),
    },
  };
}

function parseTypeConcurrency(value: string): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const entry of value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [type, limit] = entry.split(':');
    const number = Number(limit);
    if (!type || !TASK_TYPE.test(type) || !Number.isInteger(number) || number < 1) fail(`entries must look like http:20, not "${entry}"`);
    limits[type!] = number;
  }
  return limits;
}

/**
 * Generous on purpose: one client of a 2-core scheduler rarely needs more, and
 * the test suite and `npm run bench` (many polls from one address) stay under it.
 */
export const DEFAULT_RATE_LIMIT = DEFAULT_RATE_LIMIT_TEXT;

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
        return fail(`"${origin}" is not an origin such as https://ops.example.com`);
      }
      return url.origin;
    });
}
