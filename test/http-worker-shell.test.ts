import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FlowctlStack } from './support/flowctl-stack';
import { waitFor } from './support/wait-for';
import { aWorkflow } from './support/workflow-factory';

const EXAMPLE = join(__dirname, '..', 'examples', 'http-worker-shell');
const ADMIN_TOKEN = `admin-${randomBytes(16).toString('hex')}`;

/** The POSIX shell worker of examples/http-worker-shell (curl and jq), against a real stack: the example cannot rot. */
describe('the shell HTTP worker example', () => {
  let stack: FlowctlStack;
  let worker: ChildProcess | undefined;
  let stderr = '';

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'shell-worker', workers: 0, schedulerEnv: { FLOWCTL_ADMIN_TOKEN: ADMIN_TOKEN } });
    const token = await stack.api.post('/tokens', { role: 'worker', name: 'shell-worker' });
    expect(token.status).toBe(201);
    worker = spawn('sh', [join(EXAMPLE, 'worker.sh')], {
      env: { ...process.env, FLOWCTL_SERVER: stack.url, FLOWCTL_TOKEN: token.body.token, WORKER_ID: 'shell-example', POLL_WAIT_MS: '2000' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    worker.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect((await stack.api.applyYaml(readFileSync(join(EXAMPLE, 'wordcount.yaml'), 'utf8'))).status).toBe(200);
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker!.once('exit', resolve));
      worker.kill('SIGKILL');
      await exited;
    }
    await stack?.stop();
  });

  it('runs the example workflow and shows up as a worker', async () => {
    const started = await stack.api.post('/workflows/shell-wordcount/runs', {});
    expect(started.status).toBe(201);
    const run = await stack.waitForRun(started.body.id, 30_000);
    expect(run.status).toBe('succeeded');
    expect(run.tasks[0]).toMatchObject({ status: 'succeeded', output: { words: 9, lines: 2 }, workerId: 'shell-example' });
    const workers = (await stack.api.get('/workers')).body.items;
    expect(workers.find((w: any) => w.id === 'shell-example')).toMatchObject({
      types: ['shell-wordcount'],
      version: 'flowctl-worker-shell/0.1.0',
    });
    expect(stderr).toBe('');
  });

  it('fails a task for good when its input is wrong', async () => {
    const yaml = aWorkflow({
      name: 'bad-wordcount',
      tasks: [{ name: 'count', type: 'shell-wordcount', retry: { maxAttempts: 3 }, with: { text: 42 } }],
    });
    expect((await stack.api.applyYaml(yaml)).status).toBe(200);
    const started = await stack.api.post('/workflows/bad-wordcount/runs', {});
    expect(started.status).toBe(201);
    const run = await stack.waitForRun(started.body.id, 30_000);
    expect(run.tasks[0]).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: { type: 'WordcountError', message: 'input.text must be a string', nonRetryable: true },
    });
  });

  it('stops on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => worker!.once('exit', (code) => resolve(code)));
    worker!.kill('SIGTERM');
    await waitFor(async () => worker!.exitCode !== null || worker!.signalCode !== null, { timeoutMs: 10_000, what: 'the worker to stop' });
    expect(await exited).toBe(0);
  });
});
