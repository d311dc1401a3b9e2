import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from '../../apps/flowctl/src/dev/embedded-database';
import { OwnRedis } from './own-redis';
import { waitFor } from './wait-for';

const MASTER_NAME = 'flowctl-master';

/**
 * A Redis of a test's own behind a real Redis Sentinel (`redis-server <conf>
 * --sentinel`) that monitors it, so REDIS_URL can take the Sentinel form.
 */
export class OwnRedisSentinel {
  private constructor(
    readonly master: OwnRedis,
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis+sentinel://127.0.0.1:${this.port}/${MASTER_NAME}`;
  }

  static async start(): Promise<OwnRedisSentinel> {
    const master = await OwnRedis.start();
    const dir = await mkdtemp(join(tmpdir(), 'flowctl-sentinel-'));
    const port = await freePort();
    // Sentinel rewrites its configuration file, so it gets one of its own.
    const conf = join(dir, 'sentinel.conf');
    await writeFile(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master.port} 1`,
        `sentinel down-after-milliseconds ${MASTER_NAME} 5000`,
        '',
      ].join('\n'),
    );
    const child = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
    const sentinel = new OwnRedisSentinel(master, port, child, dir);
    try {
      await waitFor(
        async () => {
          const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
          try {
            await redis.connect();
            const address = (await redis.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as string[] | null;
            return address?.[1] === String(master.port);
          } catch {
            return false;
          } finally {
            redis.disconnect();
          }
        },
        { timeoutMs: 10_000, what: 'the sentinel to know its master' },
      );
    } catch (error) {
      await sentinel.stop();
      throw error;
    }
    return sentinel;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGKILL');
      await exited;
    }
    await this.master.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}
