import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { openRedis, parseRedisUrl } from '@flowctl/queue';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';
import { evictionPolicyWarning, type EvictionPolicyReading } from './eviction-policy-warning';

const CHECK_TIMEOUT_MS = 3_000;

/**
 * Reads maxmemory-policy once at start, when the queues are on Redis, and logs
 * a clear warning unless it is noeviction. Never blocks or fails the start: a
 * managed Redis often disables CONFIG, and Redis may be briefly away.
 */
@Injectable()
export class RedisSettingsCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger(RedisSettingsCheck.name);

  constructor(@Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig) {}

  onApplicationBootstrap(): void {
    const url = this.config.redisUrl;
    if (!url) return;
    void this.read(url).then((reading) => {
      const warning = evictionPolicyWarning(reading);
      if (warning) this.logger.warn(warning);
    });
  }

  private async read(url: string): Promise<EvictionPolicyReading> {
    const redis = openRedis(parseRedisUrl(url), {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: CHECK_TIMEOUT_MS,
      commandTimeout: CHECK_TIMEOUT_MS,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      // CONFIG GET answers [name, value] pairs; an empty answer or an error means CONFIG is renamed or disabled.
      const answer = (await redis.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
      const policy = answer[1];
      return policy ? { policy } : { unreadable: 'CONFIG GET answered nothing' };
    } catch (error) {
      return { unreadable: (error as Error).message };
    } finally {
      redis.disconnect();
    }
  }
}
