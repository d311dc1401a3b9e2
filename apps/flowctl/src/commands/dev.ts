import type { Command } from 'commander';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient } from '../api-client';
import type { CliIo } from '../cli-io';
import { startNodeProcess, waitForHttp, type ManagedProcess } from '../dev/child-process';
import { freePort, startEmbeddedDatabase, type EmbeddedDatabase } from '../dev/embedded-database';
import { devSecretKey } from '../dev/dev-secret-key';
import { repositoryRoot } from '../dev/repository-root';
import { splitYamlDocuments } from '../yaml-documents';

interface DevOptions {
  port: string;
  dataDir?: string;
  examples: boolean;
}

/**
 * `flowctl dev`: everything on one machine with nothing installed. PostgreSQL
 * is embedded (data kept in a local folder); the queues use REDIS_URL when it
 * is set, else BullMQ's PostgreSQL backend on the same database. Ctrl-C stops
 * the worker (draining), then the scheduler, then the database.
 */
export function registerDevCommand(program: Command, io: CliIo): void {
  program
    .command('dev')
    .description('run PostgreSQL (embedded), a scheduler, a worker and the dashboard on this machine')
    .option('--port <port>', 'API and dashboard port', io.env.PORT ?? '8080')
    .option('--data-dir <dir>', 'where the embedded PostgreSQL keeps its data (default .flowctl/dev/postgres)')
    .option('--no-examples', 'do not apply the workflows in examples/')
    .action(async (options: DevOptions) => runDev(options, io));
}

async function runDev(options: DevOptions, io: CliIo): Promise<void> {
  const root = repositoryRoot();
  const say = (line: string) => io.stderr.write(`flowctl dev: ${line}\n`);
  const processes: ManagedProcess[] = [];
  let database: EmbeddedDatabase | undefined;
  let stopping: Promise<void> | undefined;

  const stop = () =>
    (stopping ??= (async () => {
      say('stopping…');
      for (const managed of [...processes].reverse()) await managed.stop();
      await database?.stop().catch(() => undefined);
    })());

  const finished = new Promise<void>((resolve) => {
    const onSignal = () => void stop().then(resolve);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });

  try {
    const dataDir = options.dataDir ?? io.env.FLOWCTL_DEV_DIR ?? join(process.cwd(), '.flowctl', 'dev', 'postgres');
    say(`starting embedded PostgreSQL (data in ${dataDir})`);
    database = await startEmbeddedDatabase(dataDir, { port: 54329 });
    const redisUrl = io.env.REDIS_URL || undefined;
    const port = await freePort(Number(options.port));
    // --port 0 asks for any free port: getting another one is not news then.
    if (String(port) !== options.port && options.port !== '0') say(`port ${options.port} is busy; using ${port}`);
    const webRoot = join(root, 'web', 'dist');
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      FLOWCTL_WEB_ROOT: existsSync(webRoot) ? webRoot : '',
      // The dev machine is the user's own: the shell type is on here, and off by default elsewhere.
      FLOWCTL_SHELL_ENABLED: io.env.FLOWCTL_SHELL_ENABLED ?? 'true',
      FLOWCTL_SECRET_KEY: io.env.FLOWCTL_SECRET_KEY || devSecretKey(join(dataDir, '..', 'secret-key')),
      // Servers log JSON lines by default (production); here a person reads them.
      LOG_FORMAT: io.env.LOG_FORMAT ?? 'pretty',
    };
    const scheduler = startNodeProcess('scheduler', join(root, 'dist', 'apps', 'scheduler', 'src', 'main.js'), env, io.stderr);
    processes.push(scheduler);
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/api/v1/readyz`, 60_000, () => scheduler.child.exitCode === null);
    processes.push(startNodeProcess('worker', join(root, 'dist', 'apps', 'worker', 'src', 'main.js'), env, io.stderr));

    if (options.examples) await applyExamples(new ApiClient(url), join(root, 'examples'), say);
    io.stdout.write(
      [
        '',
        `flowctl is running (queues on ${redisUrl ? 'Redis' : 'PostgreSQL'})`,
        `  API        ${url}/api/v1`,
        `  API docs   ${url}/api/docs`,
        env.FLOWCTL_WEB_ROOT ? `  dashboard  ${url}/` : '  dashboard  (not built: npm run build:web)',
        `  try        npx flowctl --server ${url} run hello-world --wait`,
        'Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
    const exited = await Promise.race([finished.then(() => undefined), ...processes.map((p) => p.exited.then(() => p))]);
    // A process that exits while Ctrl-C is stopping everything is the stop going to plan, not a crash.
    if (exited && stopping) await finished;
    else if (exited) {
      say(`${exited.name} exited unexpectedly`);
      await stop();
      throw new Error(`${exited.name} exited`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

async function applyExamples(api: ApiClient, dir: string, say: (line: string) => void): Promise<void> {
  if (!existsSync(dir)) return;
  for (const file of readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()) {
    for (const document of splitYamlDocuments(readFileSync(join(dir, file), 'utf8'))) {
      try {
        const response = await api.send<{ name: string; result: string; version: number }>('PUT', '/workflows', {
          raw: { body: document, contentType: 'application/yaml' },
        });
        say(`applied examples/${file}: workflow/${response.body.name} ${response.body.result}`);
      } catch (error) {
        say(`could not apply examples/${file}: ${(error as Error).message}`);
      }
    }
  }
}
