/**
 * A custom worker: a plain async function per task type, registered through @flowctl/worker.
 * This folder is a project of its own (package.json): copied anywhere, `npm install && npm run
 * build`, then run it beside a scheduler (`npx flowctl dev --worker "npm start"` in a folder whose
 * workflows/ holds thumbnails.yaml). Inside the flowctl repository it is built with the rest:
 *
 *   npm run build && REDIS_URL=redis://127.0.0.1:6379 node dist/examples/custom-worker/resize-images.worker.js
 *
 * and apply examples/custom-worker/thumbnails.yaml.
 */
import { defineHandler, NonRetryableError, SecretKeyring, TaskRunner } from '@flowctl/worker';

interface ResizeInput {
  images: string[];
  width: number;
}

export const resizeImages = defineHandler<ResizeInput, { resized: string[] }>(async (input, ctx) => {
  if (!Array.isArray(input.images)) throw new NonRetryableError('images must be a list of paths');
  // Resume where an earlier attempt stopped: its last heartbeat said how far it got.
  const done = (ctx.lastHeartbeatDetails as { done?: number } | undefined)?.done ?? 0;
  const resized: string[] = input.images.slice(0, done).map((image) => `${image}@${input.width}w`);
  for (let i = done; i < input.images.length; i++) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    await new Promise((resolve) => setTimeout(resolve, 50)); // the real work would go here
    resized.push(`${input.images[i]}@${input.width}w`);
    ctx.heartbeat({ done: i + 1 });
  }
  ctx.logger.info('resized images', { count: resized.length, idempotencyKey: ctx.idempotencyKey });
  return { resized };
});

if (require.main === module) {
  const runner = new TaskRunner({
    transport: {
      redisUrl: process.env.REDIS_URL,
      postgresUrl: process.env.DATABASE_URL,
      prefix: process.env.FLOWCTL_QUEUE_PREFIX ?? 'flowctl',
    },
    handlers: { 'resize-images': resizeImages },
    concurrency: 4,
    // Only tasks that read `{{ secrets.NAME }}` need it; the same key as the scheduler's.
    secretKeyring: SecretKeyring.fromConfig(process.env.FLOWCTL_SECRET_KEY, process.env.FLOWCTL_SECRET_PREVIOUS_KEYS),
  });
  runner.start().then(() => console.log(`resize-images worker ${runner.workerId} started`));
  process.once('SIGTERM', () => void runner.stop().then(() => process.exit(0)));
  process.once('SIGINT', () => void runner.stop().then(() => process.exit(0)));
}
