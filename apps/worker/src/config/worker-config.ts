import { BUILT_IN_WORKER_TYPES, defineEnvironment, env, EnvValueInvalid, InvalidInput } from '@flowctl/core';
import { SecretKeyring } from '@flowctl/queue';
import { loadObservabilityConfig, ObservabilityConfigError, type ObservabilityConfig } from '@flowctl/observability';
import { parseRedisUrl } from '@flowctl/queue';

export const BUILT_IN_TYPES = BUILT_IN_WORKER_TYPES;

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

const TASK_TYPE = /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/;
const fail = (expectation: string): never => {
  throw new EnvValueInvalid(expectation);
};

/** `noop,http:20`: each type, with its own concurrency when given. */
function parseWorkerTypes(text: string): { type: string; concurrency?: number }[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [type, limit] = entry.split(':');
      if (!type || !TASK_TYPE.test(type)) return fail(`must list task types such as noop,http:20; "${entry}" is not one`);
      if (limit === undefined) return { type };
      const concurrency = Number(limit);
      return Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 10_000
        ? { type, concurrency }
        : fail(`must give each type a whole-number concurrency from 1 to 10000, not "${entry}"`);
    });
}

/**
 * Every variable the stock worker reads, with its default and meaning: read
 * once at start (a bad one stops it, named) and printed as the table in
 * docs/configuration.md. LOG_* and OTEL_* are the observability library's.
 */
export const WORKER_ENVIRONMENT = defineEnvironment({
  redisUrl: env.custom(
    'REDIS_URL',
    {
      secret: true,
      description:
        "Redis of the queues (as the scheduler's). Unset: queues on BullMQ's PostgreSQL backend (FLOWCTL_QUEUE_DATABASE_URL or DATABASE_URL).",
    },
    (text) => (parseRedisUrl(text), text),
    undefined as string | undefined,
  ),
  queueDatabaseUrl: env.url('FLOWCTL_QUEUE_DATABASE_URL', {
    schemes: ['postgres', 'postgresql'],
    secret: true,
    description: "Queues on BullMQ's PostgreSQL backend (flowctl dev without Redis); the worker never touches flowctl's own tables.",
  }),
  databaseUrl: env.url('DATABASE_URL', {
    schemes: ['postgres', 'postgresql'],
    secret: true,
    description: 'Used as FLOWCTL_QUEUE_DATABASE_URL when that is unset.',
  }),
  queuePrefix: env.text('FLOWCTL_QUEUE_PREFIX', {
    default: 'flowctl',
    pattern: /^[A-Za-z0-9_-]{1,64}$/,
    expect: 'letters, digits, - and _ (at most 64)',
    description: "As the scheduler's.",
  }),
  types: env.custom(
    'WORKER_TYPES',
    {
      default: BUILT_IN_TYPES.join(','),
      description: 'Task types served, each with an optional concurrency: noop,http:20. shell is served only with FLOWCTL_SHELL_ENABLED.',
    },
    parseWorkerTypes,
    [] as { type: string; concurrency?: number }[],
  ),
  concurrency: env.integer('WORKER_CONCURRENCY', {
    default: 10,
    min: 1,
    max: 10_000,
    unit: 'tasks',
    description: 'Tasks of each type run at once, unless WORKER_TYPES gives the type its own.',
  }),
  shellEnabled: env.flag('FLOWCTL_SHELL_ENABLED', {
    default: false,
    description:
      "Serve the shell type; without it shell is not served even if WORKER_TYPES names it. A command sees its task's env and only PATH, HOME, LANG, LC_ALL, TZ, TMPDIR and USER of the worker's environment, never its credentials.",
  }),
  httpAllowlist: env.text('FLOWCTL_HTTP_ALLOWLIST', {
    default: '*',
    description:
      'Hosts http tasks may call: api.example.com,*.example.org,10.0.0.7:8443; * is any public address. Loopback, private, link-local and cloud metadata addresses are refused (checked after DNS and on every redirect) unless an entry names the host exactly.',
  }),
  httpMaxResponseBytes: env.integer('FLOWCTL_HTTP_MAX_RESPONSE', {
    default: 1_048_576,
    min: 1,
    max: 1_048_576,
    unit: 'bytes',
    description: 'Largest response body an http task reads (a task output is at most 1 MiB).',
  }),
  httpTimeoutMs: env.duration('FLOWCTL_HTTP_TIMEOUT', { default: '30s', min: 1, description: 'Time limit of one http request.' }),
  heartbeatIntervalMs: env.duration('FLOWCTL_WORKER_HEARTBEAT_INTERVAL', {
    default: '5s',
    min: 100,
    description: "How often the worker registers itself; keep it well under the scheduler's FLOWCTL_WORKER_LOST_AFTER.",
  }),
  metricsPort: env.integer('METRICS_PORT', {
    min: 0,
    max: 65535,
    description: 'Serve /metrics, /healthz (200 while the queues answer, else 503) and /livez on this port; unset: no HTTP server.',
  }),
  metricsHost: env.text('METRICS_HOST', { default: '0.0.0.0', description: 'Address of the /metrics server.' }),
  shutdownGraceMs: env.duration('FLOWCTL_WORKER_GRACE', {
    default: '10s',
    description:
      "After SIGTERM the worker takes no new tasks and lets running ones finish this long; the rest are handed back (failed as WorkerShutdown, retried elsewhere at once). Keep it under Kubernetes' terminationGracePeriodSeconds.",
  }),
  secretKey: env.text('FLOWCTL_SECRET_KEY', {
    secret: true,
    description: "The scheduler's key: opens the secrets tasks read. Unset: such tasks fail.",
  }),
  previousSecretKeys: env.text('FLOWCTL_SECRET_PREVIOUS_KEYS', { secret: true, description: 'Earlier keys, during a key rotation.' }),
});

/**
 * `WORKER_TYPES=noop,http:20` serves noop at WORKER_CONCURRENCY and http at 20.
 * The shell type is served only when FLOWCTL_SHELL_ENABLED=true, whatever WORKER_TYPES says.
 */
export function loadWorkerConfig(source: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const values = WORKER_ENVIRONMENT.read(source);
  const types: Record<string, number> = {};
  for (const { type, concurrency } of values.types) {
    if (type === 'shell' && !values.shellEnabled) continue;
    types[type] = concurrency ?? values.concurrency!;
  }
  const queueDatabaseUrl = values.queueDatabaseUrl ?? values.databaseUrl;
  if (!values.redisUrl && !queueDatabaseUrl) throw new InvalidInput('set REDIS_URL (or DATABASE_URL for queues on PostgreSQL)');
  let observability: ObservabilityConfig;
  try {
    observability = loadObservabilityConfig(source, 'flowctl-worker');
  } catch (error) {
    if (error instanceof ObservabilityConfigError) throw new InvalidInput(error.message);
    throw error;
  }
  return {
    redisUrl: values.redisUrl,
    queueDatabaseUrl: values.redisUrl ? undefined : queueDatabaseUrl,
    queuePrefix: values.queuePrefix!,
    types,
    shellEnabled: values.shellEnabled,
    shellEnvironment: Object.fromEntries(
      SHELL_INHERITED_VARIABLES.flatMap((name) => (source[name] === undefined ? [] : [[name, source[name]]])),
    ),
    http: {
      allowlist: values
        .httpAllowlist!.split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
      maxResponseBytes: values.httpMaxResponseBytes!,
      timeoutMs: values.httpTimeoutMs!,
      maxRedirects: 5,
    },
    heartbeatIntervalMs: values.heartbeatIntervalMs!,
    secretKeyring: SecretKeyring.fromConfig(values.secretKey, values.previousSecretKeys),
    metricsPort: values.metricsPort,
    metricsHost: values.metricsHost!,
    observability,
    shutdownGraceMs: values.shutdownGraceMs!,
  };
}
