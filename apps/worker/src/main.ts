import { exitWithParent } from '@flowctl/core';
import { TaskRunner, type TaskHandler } from '@flowctl/worker-sdk';
import { loadWorkerConfig, type WorkerConfig } from './config/worker-config';
import { builtInHandlers } from './handlers/built-in-handlers';

/** Starts a worker serving the configured types; extra handlers (custom types) may be passed in. */
export async function startWorker(config: WorkerConfig, extraHandlers: Record<string, TaskHandler> = {}): Promise<TaskRunner> {
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
  });
  await runner.start();
  return runner;
}

if (require.main === module) {
  let config: WorkerConfig;
  try {
    config = loadWorkerConfig();
  } catch (error) {
    console.error(`flowctl worker: ${(error as Error).message}`);
    process.exit(2);
  }
  exitWithParent();
  startWorker(config).then(
    (runner) => {
      console.log(
        `flowctl worker ${runner.workerId} serving ${Object.entries(config.types)
          .map(([t, c]) => `${t}:${c}`)
          .join(', ')}`,
      );
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`${signal}: draining (grace ${config.shutdownGraceMs} ms)`);
        void runner.stop(config.shutdownGraceMs).then(() => process.exit(0));
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    },
    (error: Error) => {
      console.error(`flowctl worker failed to start: ${error.message}`);
      process.exit(1);
    },
  );
}
