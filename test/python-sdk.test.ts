import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FlowctlStack } from './support/flowctl-stack';
import { waitFor } from './support/wait-for';
import { aWorkflow } from './support/workflow-factory';

// The Python suite starts workers, kills one and waits out lease timeouts: far longer than the default.
jest.setTimeout(300_000);

const SDK = join(__dirname, '..', 'sdks', 'python');
const PYTHON_SUITE_TIMEOUT_MS = 240_000;
const ADMIN_TOKEN = `admin-${randomBytes(16).toString('hex')}`;
const run = promisify(execFile);

/** Runs a command to its end; resolves with its exit code and everything it printed, kills its group past the timeout. */
function runToEnd(command: string, args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs: number }) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    // Its own process group, so the workers the suite starts go with it on a timeout.
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, detached: true });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      output += `\n--- killed after ${options.timeoutMs} ms ---\n`;
      process.kill(-child.pid!, 'SIGKILL');
    }, options.timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A fresh venv with the SDK installed offline: nothing may come from an index, the SDK needs nothing but itself. */
async function venvWithTheSdk(folder: string): Promise<string> {
  await run('python3', ['-m', 'venv', join(folder, 'venv')]);
  const python = join(folder, 'venv', 'bin', 'python');
  await run(python, ['-m', 'pip', 'install', '--quiet', '--no-build-isolation', SDK], {
    env: { ...process.env, PIP_NO_INDEX: '1', PIP_FIND_LINKS: '' },
  });
  return python;
}

describe('the Python worker SDK (sdks/python)', () => {
  let folder: string;
  let python: string;
  let stack: FlowctlStack;
  let workerToken: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'flowctl-python-sdk-'));
    python = await venvWithTheSdk(folder);
    stack = await FlowctlStack.start({
      label: 'python_sdk',
      workers: 0,
      // Auth on, as deployed; a killed Python worker is lost after 2 s; secrets need a key.
      schedulerEnv: {
        FLOWCTL_ADMIN_TOKEN: ADMIN_TOKEN,
        FLOWCTL_WORKER_LOST_AFTER: '2s',
        FLOWCTL_SECRET_KEY: randomBytes(32).toString('base64'),
      },
    });
    const created = await stack.api.post('/tokens', { role: 'worker', namespaces: ['default'], name: 'python-sdk-tests' });
    if (created.status !== 201) throw new Error(`could not create a worker token: ${JSON.stringify(created.body)}`);
    workerToken = created.body.token;
  });

  afterAll(async () => {
    await stack?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('installs offline into a fresh venv, with its type information', async () => {
    const { stdout } = await run(
      python,
      ['-c', 'import flowctl_worker, pathlib; p = pathlib.Path(flowctl_worker.__file__).parent; print(p, (p / "py.typed").exists())'],
      {
        cwd: folder,
      },
    );
    const [location, typed] = stdout.trim().split(' ');
    // The venv's copy, not the source tree's.
    expect(location).toMatch(/\/lib\/python3\.\d+\/site-packages\/flowctl_worker$/);
    expect(location!.startsWith(join(folder, 'venv'))).toBe(true);
    expect(typed).toBe('True');
  });

  it('passes its own tests against a real scheduler', async () => {
    const { code, output } = await runToEnd(python, ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.', '-v'], {
      cwd: SDK,
      env: {
        FLOWCTL_TEST_SERVER: stack.url,
        FLOWCTL_TEST_TOKEN: ADMIN_TOKEN,
        FLOWCTL_TEST_WORKER_TOKEN: workerToken,
        PYTHONDONTWRITEBYTECODE: '1',
      },
      timeoutMs: PYTHON_SUITE_TIMEOUT_MS,
    });
    if (code !== 0) throw new Error(`the Python tests failed (exit ${code}):\n${output}\n--- server output ---\n${stack.output}`);
    // Every test against the scheduler ran: none was skipped for want of a server.
    expect(output).not.toMatch(/FLOWCTL_TEST_SERVER is not set/);
    expect(output).toMatch(/^OK/m);
  });
});

describe('a Python worker while its scheduler restarts', () => {
  let folder: string;
  let python: string;
  let stack: FlowctlStack;
  let worker: ChildProcess | undefined;
  let workerOutput = '';

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'flowctl-python-restart-'));
    python = await venvWithTheSdk(folder);
    // Liveness far beyond the outage: this is about the result surviving it, not about the worker being presumed lost.
    stack = await FlowctlStack.start({ label: 'python_sdk_restart', workers: 0, schedulerEnv: { FLOWCTL_WORKER_LOST_AFTER: '60s' } });
  });

  afterAll(async () => {
    worker?.kill('SIGKILL');
    await stack?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('keeps a result finished while the scheduler was down and reports it once the scheduler is back', async () => {
    const releaseFile = join(folder, 'release');
    await stack.api.applyYaml(
      aWorkflow({ name: 'py-restart', tasks: [{ name: 'work', type: 'py-restart', heartbeatTimeout: '60s', retry: { maxAttempts: 3 } }] }),
    );
    worker = spawn(python, [join(SDK, 'tests', 'process_worker.py')], {
      env: {
        ...process.env,
        FLOWCTL_SERVER: stack.url,
        TEST_TASK_TYPE: 'py-restart',
        TEST_BEHAVIOUR: 'finish-when-released',
        TEST_GRACE: '5',
        TEST_RELEASE_FILE: releaseFile,
      },
    });
    worker.stdout!.on('data', (chunk: Buffer) => (workerOutput += chunk.toString('utf8')));
    worker.stderr!.on('data', (chunk: Buffer) => (workerOutput += chunk.toString('utf8')));
    const { body: started } = await stack.api.post('/workflows/py-restart/runs', {});
    await waitFor(async () => (await stack.api.get(`/runs/${started.id}`)).body.tasks[0].status === 'running', {
      timeoutMs: 30_000,
      what: 'the Python worker to run the task',
    });

    await stack.killScheduler();
    // The handler ends while nobody listens: its result must wait, not be dropped.
    writeFileSync(releaseFile, '');
    await waitFor(() => /cannot report complete of task work yet/.test(workerOutput), { timeoutMs: 15_000, what: 'the report to fail' });
    await stack.startScheduler();

    const run = await stack.waitForRun(started.id, 40_000);
    expect(run.status).toBe('succeeded');
    // Attempt 1's own result, not a re-run.
    expect(run.tasks[0]).toMatchObject({ attempt: 1, output: { released: true, attempt: 1 } });
    expect(workerOutput).toMatch(/reported complete of task work after \d+ retries/);

    // The worker's loop outlived the outage: it takes new tasks from the new scheduler.
    const { body: next } = await stack.api.post('/workflows/py-restart/runs', {});
    const nextRun = await stack.waitForRun(next.id, 30_000);
    expect(worker.exitCode).toBeNull();
    expect(nextRun.status).toBe('succeeded');
  });
});
