import { exitWithParent } from '@flowctl/observability';
import { configureLogging, createMetricsRegistry, startMetricsServer, startTracing, type MetricsServer } from '@flowctl/observability';
import { TaskRunner, type TaskHandler } from '@flowctl/worker-sdk';
import type { Registry } from 'prom-client';
import { loadWorkerConfig, type WorkerConfig } from './config/worker-config';
import { builtInHandlers } from './handlers/built-in-handlers';

/** Starts a worker serving the configured types; extra handlers (custom types) may be passed in. */
export async function startWorker(
  config: WorkerConfig,
  extraHandlers: Record<string, TaskHandler> = {},
  metrics?: Registry,
): Promise<TaskRunner> {
  const available = { ...builtInHandlers(config), ...extraHandlers };
  const handlers: Record<string, TaskHandler> = {};
  for (const type of Object.keys(config.types)) {
    const handler = available[type];
    if (!handler) throw new Error(`no handler for task type "${type}" in this worker (has: ${Object.keys(available).join(', ')})`);
    handlers[type] = handler;
  }
  const runner = new TaskRunner({
    transport: { redisUrl: config.redisUrl, postgresUrl: config.queueDatabaseUrl, prefix: config.queuePrefix },
    handlers,
    concurrency: config.types,
    registrationIntervalMs: config.heartbeatIntervalMs,
    secretKeyring: config.secretKeyring,
    metrics,
  });
  await runner.start();
  return runner;
}

if (require.main === module) {
  let config: WorkerConfig;
  try {
    config = loadWorkerConfig();
    // The key is in the config now. Out of the environment, so no `shell` task (or any child) inherits it.
    delete process.env.FLOWCTL_SECRET_KEY;
    delete process.env.FLOWCTL_SECRET_PREVIOUS_KEYS;
  } catch (error) {
    console.error(`flowctl worker: ${(error as Error).message}`);
    process.exit(2);
  }
  const logger = configureLogging({ service: 'worker', level: config.observability.logLevel, format: config.observability.logFormat });
  const tracing = startTracing(config.observability.tracing);
  exitWithParent();
  const registry = createMetricsRegistry();
  let metricsServer: MetricsServer | undefined;
  let started: TaskRunner | undefined;
  // Unhealthy until the runner is up, then as healthy as its queues are reachable.
  const health = () => (started ? started.probeQueues() : Promise.reject(new Error('starting')));
  (async () => {
    if (config.metricsPort !== undefined)
      metricsServer = await startMetricsServer({ port: config.metricsPort, host: config.metricsHost, registry, health });
    started = await startWorker(config, {}, registry);
    return started;
  })().then(
    (runner) => {
      logger.info(
        { workerId: runner.workerId, types: config.types, metricsPort: metricsServer?.port, tracing: tracing.enabled },
        `flowctl worker ${runner.workerId} serving ${Object.entries(config.types)
          .map(([t, c]) => `${t}:${c}`)
          .join(', ')}${metricsServer ? `; metrics on :${metricsServer.port}` : ''}`,
      );
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info(`${signal}: draining (grace ${config.shutdownGraceMs} ms)`);
        void runner
          .stop(config.shutdownGraceMs)
          .then(() => Promise.all([tracing.shutdown(), metricsServer?.close()]))
          .then(() => process.exit(0));
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    },
    (error: Error) => {
      logger.fatal({ err: error }, `flowctl worker failed to start: ${error.message}`);
      process.exit(1);
    },
  );
}
