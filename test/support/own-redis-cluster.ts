import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import Redis from 'ioredis';
import { freePort } from '../../apps/flowctl/src/dev/embedded-database';
import { waitFor } from './wait-for';

const run = promisify(execFile);

/**
 * A real Redis Cluster of a test's own: masters on free loopback ports, each
 * with its own folder for its nodes.conf, joined by `redis-cli --cluster create`
 * and covering all 16384 slots. No replicas and no persistence.
 */
export class OwnRedisCluster {
  private readonly children: ChildProcess[] = [];

  private constructor(
    readonly ports: number[],
    private readonly dir: string,
  ) {}

  /** The REDIS_URL form flowctl takes for a cluster. */
  get url(): string {
    return `redis+cluster://${this.ports.map((port) => `127.0.0.1:${port}`).join(',')}`;
  }

  static async start(nodes = 3): Promise<OwnRedisCluster> {
    const ports: number[] = [];
    while (ports.length < nodes) {
      const port = await freePort();
      // The cluster bus listens on port + 10000, which must be free too and below 65536.
      if (port + 10_000 < 65_536 && !ports.includes(port) && (await freePort(port + 10_000)) === port + 10_000) ports.push(port);
    }
    const cluster = new OwnRedisCluster(ports, await mkdtemp(join(tmpdir(), 'flowctl-cluster-')));
    try {
      for (const port of ports) cluster.startNode(port);
      for (const port of ports) {
        await waitFor(() => cluster.ping(port), { timeoutMs: 10_000, what: `redis-server on port ${port}` });
      }
      await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
        timeout: 30_000,
      });
      await waitFor(async () => (await cluster.info(ports[0]!)).includes('cluster_state:ok'), {
        timeoutMs: 20_000,
        what: 'the cluster to cover every slot',
      });
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  private startNode(port: number): void {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--cluster-node-timeout',
        '5000',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    this.children.push(child);
  }

  private async ping(port: number): Promise<boolean> {
    return (await this.command(port, (redis) => redis.ping()).catch(() => undefined)) === 'PONG';
  }

  private info(port: number): Promise<string> {
    return this.command(port, (redis) => redis.cluster('INFO') as Promise<string>).catch(() => '');
  }

  /** Keys on one node (cluster-wide the slots are spread over all of them). */
  async keyCount(port: number): Promise<number> {
    return this.command(port, (redis) => redis.dbsize());
  }

  private async command<T>(port: number, use: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await redis.connect();
      return await use(redis);
    } finally {
      redis.disconnect();
    }
  }

  /** SIGKILL every node and remove their folder. */
  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }),
    );
    await rm(this.dir, { recursive: true, force: true });
  }
}
