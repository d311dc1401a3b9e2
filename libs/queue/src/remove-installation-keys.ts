import { Redis } from 'ioredis';
import { parseRedisUrl } from './redis-url';

/**
 * Deletes every key of one installation (`{prefix}...`: its queues, results
 * stream and liveness marks) from a single Redis. For tests and the bench on
 * a shared Redis; a Cluster or Sentinel there is their own and dies with them.
 */
export async function removeInstallationKeys(url: string, prefix: string): Promise<void> {
  if (parseRedisUrl(url).kind !== 'single') return;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
