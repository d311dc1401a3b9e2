import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Client } from 'pg';
import { FLOOR_GROUP, floorNames, type FloorMessage, type FloorSettings } from './durable-floor';

/**
 * The scheduler half of the durable floor (see durable-floor.ts), in a process
 * of its own as flowctl's scheduler is: for each result on the stream, one
 * PostgreSQL commit, then the next job, then the acknowledgement.
 */
async function main(): Promise<void> {
  const settings = JSON.parse(process.env.FLOOR_SETTINGS ?? '') as FloorSettings;
  const names = floorNames(settings.prefix);
  const reader = new Redis(settings.redisUrl, { maxRetriesPerRequest: null });
  const commands = new Redis(settings.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(names.queue, { connection: { url: settings.redisUrl, maxRetriesPerRequest: null }, prefix: names.prefix });
  const database = new Client({ connectionString: settings.databaseUrl });
  await database.connect();
  await queue.waitUntilReady();
  process.send!({ kind: 'ready' } satisfies FloorMessage);

  for (let done = false; !done;) {
    const batch = (await reader.xreadgroup(
      'GROUP',
      FLOOR_GROUP,
      'scheduler',
      'COUNT',
      100,
      'BLOCK',
      5_000,
      'STREAMS',
      names.results,
      '>',
    )) as [string, [string, string[]][]][] | null;
    for (const [id, fields] of batch?.[0]?.[1] ?? []) {
      const hop = Number(fields[1]);
      // One round trip, one fsync: the least a durable record of the hop can cost.
      await database.query(`BEGIN; UPDATE ${settings.table} SET hops = hops + 1 WHERE id = 1; COMMIT`);
      if (hop + 1 < settings.length) await queue.add('hop', { hop: hop + 1 });
      else done = true;
      await commands.xack(names.results, FLOOR_GROUP, id);
    }
  }
  process.send!({ kind: 'done' } satisfies FloorMessage);
  await queue.close();
  reader.disconnect();
  commands.disconnect();
  await database.end();
}

main().catch((error: Error) => {
  console.error(`durable floor scheduler failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
