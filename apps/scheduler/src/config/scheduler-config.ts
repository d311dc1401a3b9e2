import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { InvalidInput, parseDuration } from '@flowctl/core';
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
  return {
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
    if (!type || !/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/.test(type) || !Number.isInteger(number) || number < 1) {
      throw new InvalidInput(`FLOWCTL_TYPE_CONCURRENCY: "${entry}" should look like http:20`);
    }
    limits[type] = number;
  }
  return limits;
}
