import { exitWithParent } from '@flowctl/observability';
import { TaskRunner, type TaskContext } from '@flowctl/worker-sdk';

/**
 * The bench's worker for the task-log rows: `bench-quiet` returns at once (its input unread), `bench-log` writes
 * `with.lines` lines through ctx.logger first. Both on one runner, so the silent and the logging
 * fan-out differ only in the logging. Long logs are written in slices of 100 lines a tick, as a
 * real task's output comes, not as one synchronous burst.
 */
const SLICE = 100;
/** 1,000 lines a second a task: a busy build log, not a tight loop (which no buffer of bounded size keeps up with). */
const PAUSE_MS = 100;

async function logLines(input: { lines?: number } | undefined, ctx: TaskContext): Promise<null> {
  const lines = Number(input?.lines ?? 10);
  for (let i = 1; i <= lines; i++) {
    ctx.logger.info(`line ${i} of ${lines}: the quick brown fox jumps over the lazy dog`);
    if (i % SLICE === 0 && i < lines) await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
  return null;
}

const runner = new TaskRunner({
  transport: {
    redisUrl: process.env.REDIS_URL || undefined,
    postgresUrl: process.env.DATABASE_URL,
    prefix: process.env.FLOWCTL_QUEUE_PREFIX,
  },
  // noop too: the warm-up run and the fan-outs' root and join are noop tasks.
  handlers: { noop: () => null, 'bench-quiet': () => null, 'bench-log': logLines },
  concurrency: Number(process.env.WORKER_CONCURRENCY ?? 50),
  // The handler's lines go to the attempt's log; the worker's own stdout would only measure the terminal.
  logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
});

exitWithParent();
void runner.start();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void runner.stop(1_000).then(() => process.exit(0)));
