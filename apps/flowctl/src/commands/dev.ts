import type { Command } from 'commander';
import { existsSync, type FSWatcher } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ApiClient } from '../api-client';
import type { CliIo } from '../cli-io';
import { startNodeProcess, startShellCommand, waitForHttp, type ManagedProcess } from '../dev/child-process';
import { namedWorkers, projectWorkers, PROJECT_FILE, type WorkerCommand } from '../dev/dev-project';
import { freePort, startEmbeddedDatabase, type EmbeddedDatabase } from '../dev/embedded-database';
import { devSecretKey } from '../dev/dev-secret-key';
import { flowctlPackageRoot, isCheckout } from '../dev/package-root';
import { applyWorkflowFile, watchWorkflowFiles, workflowFiles } from '../dev/workflow-files';

interface DevOptions {
  port: string;
  dataDir?: string;
  dir?: string;
  worker: string[];
  examples: boolean;
  watch: boolean;
}

/**
 * `flowctl dev`: everything on one machine with nothing installed, in any folder. PostgreSQL
 * is embedded (data in ./.flowctl/dev); the queues use REDIS_URL when it is set, else BullMQ's
 * PostgreSQL backend on the same database. It applies ./workflows (in a checkout with none, the
 * examples), re-applies a file when it changes, and starts the user's workers. Ctrl-C stops the
 * user's workers, the stock worker (draining), then the scheduler, then the database.
 */
export function registerDevCommand(program: Command, io: CliIo): void {
  program
    .command('dev')
    .description('run PostgreSQL (embedded), a scheduler, a worker, your workers and the dashboard on this machine')
    .option('--port <port>', 'API and dashboard port', io.env.PORT ?? '8080')
    .option('--data-dir <dir>', 'where the embedded PostgreSQL keeps its data (default .flowctl/dev/postgres)')
    .option('--dir <dir>', 'the workflows to apply and watch (default ./workflows)')
    .option(
      '--worker <command>',
      `a worker command to start with FLOWCTL_SERVER set, repeatable (default: workers: in ./${PROJECT_FILE})`,
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--no-examples', 'apply no workflows at start')
    .option('--no-watch', 'do not re-apply workflow files when they change')
    .action(async (options: DevOptions) => runDev(options, io));
}

/** ./workflows, else (in a checkout, for `npm run dev`) the repository's examples. */
function workflowsDir(options: DevOptions, root: string): string {
  if (options.dir) return resolve(options.dir);
  const own = resolve('workflows');
  return !existsSync(own) && isCheckout(root) ? join(root, 'examples') : own;
}

async function runDev(options: DevOptions, io: CliIo): Promise<void> {
  const root = flowctlPackageRoot();
  const say = (line: string) => io.stderr.write(`flowctl dev: ${line}\n`);
  // Read before anything starts: a bad flowctl.yaml is exit 2 with nothing to stop.
  const userWorkers: WorkerCommand[] = options.worker.length > 0 ? namedWorkers(options.worker) : projectWorkers(process.cwd());
  const processes: ManagedProcess[] = [];
  const workers: ManagedProcess[] = [];
  let database: EmbeddedDatabase | undefined;
  let watcher: FSWatcher | undefined;
  let stopping: Promise<void> | undefined;

  const stop = () =>
    (stopping ??= (async () => {
      say('stopping…');
      watcher?.close();
      await Promise.all(workers.map((worker) => worker.stop()));
      for (const managed of [...processes].reverse()) await managed.stop();
      await database?.stop().catch(() => undefined);
    })());

  // Kept for the whole stop: one Ctrl-C may arrive twice (from the terminal and forwarded by npx),
  // and a second signal must not end this process before its children and PostgreSQL are down.
  const onSignal = () => void stop().then(() => resolveFinished());
  let resolveFinished: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (resolveFinished = resolve)).finally(() => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const dataDir = options.dataDir ?? io.env.FLOWCTL_DEV_DIR ?? join(process.cwd(), '.flowctl', 'dev', 'postgres');
    say(`starting embedded PostgreSQL (data in ${relative(process.cwd(), dataDir) || dataDir})`);
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
      FLOWCTL_WEB_ROOT: existsSync(join(webRoot, 'index.html')) ? webRoot : '',
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

    const api = new ApiClient(url, fetch, io.env.FLOWCTL_TOKEN || undefined);
    const dir = workflowsDir(options, root);
    const applied: string[] = [];
    if (!existsSync(dir)) say(`no ${relative(process.cwd(), dir) || dir} folder: no workflows to apply (flowctl init writes one)`);
    else if (options.examples) for (const file of workflowFiles(dir)) applied.push(...(await applyWorkflowFile(api, file, say)));
    if (options.watch && existsSync(dir)) watcher = watchWorkflowFiles(dir, (file) => void applyWorkflowFile(api, file, say));

    // The user's workers get the API (the HTTP protocol) and the queues (the TypeScript SDK's transport).
    const workerEnv = {
      ...env,
      FLOWCTL_SERVER: url,
      ...(io.env.FLOWCTL_TOKEN ? { FLOWCTL_TOKEN: io.env.FLOWCTL_TOKEN } : {}),
      PORT: undefined,
      HOST: undefined,
      FLOWCTL_WEB_ROOT: undefined,
    };
    for (const { name, command } of userWorkers) {
      say(`starting worker ${name}: ${command}`);
      const worker = startShellCommand(name, command, { env: workerEnv, cwd: process.cwd(), output: io.stderr });
      workers.push(worker);
      // A worker of the user's that stops is theirs to fix; the rest keeps running.
      void worker.exited.then((code) => {
        if (!stopping) say(`worker ${name} exited${code === null ? '' : ` with code ${code}`}`);
      });
    }

    const example = applied[0] ?? 'hello';
    io.stdout.write(
      [
        '',
        `flowctl is running (queues on ${redisUrl ? 'Redis' : 'PostgreSQL'})`,
        `  API        ${url}/api/v1`,
        `  API docs   ${url}/api/docs`,
        env.FLOWCTL_WEB_ROOT ? `  dashboard  ${url}/` : '  dashboard  (not built: npm run build:web)',
        `  workflows  ${relative(process.cwd(), dir) || dir}${watcher ? ' (re-applied when a file changes)' : ''}`,
        `  try        npx flowctl --server ${url} run ${example} --wait`,
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
