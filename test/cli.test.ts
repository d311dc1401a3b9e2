import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../apps/flowctl/src/dev/embedded-database';
import { runFlowctl, type CliResult } from './support/flowctl-cli';
import { FlowctlStack } from './support/flowctl-stack';
import { waitFor } from './support/wait-for';
import { aWorkflow, type TaskSketch } from './support/workflow-factory';

// The integration project's testTimeout in jest.config.js is a project option jest ignores: set it here.
jest.setTimeout(60_000);

const RUN_ID = /run\/([0-9a-f-]{36})/;

describe('the flowctl CLI against a real server', () => {
  let stack: FlowctlStack;
  let dir: string;

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'cli' });
    dir = mkdtempSync(join(tmpdir(), 'flowctl-cli-test-'));
  });

  afterAll(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const flowctl = (args: string[], options: { stdin?: string; timeoutMs?: number } = {}) =>
    runFlowctl(['--server', stack.url, ...args], options);

  /** Writes a workflow file into the test's folder (or a sub-folder) and returns its path. */
  function writeWorkflow(file: string, workflow: { name: string; tasks: TaskSketch[]; spec?: Record<string, unknown> }): string {
    const path = join(dir, file);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, aWorkflow(workflow));
    return path;
  }

  async function apply(workflow: { name: string; tasks: TaskSketch[]; spec?: Record<string, unknown> }): Promise<void> {
    expect((await stack.api.applyYaml(aWorkflow(workflow))).status).toBe(200);
  }

  const runIdOf = (result: CliResult): string => {
    const match = RUN_ID.exec(result.stdout);
    if (!match) throw new Error(`no run id in output: ${result.stdout}\n${result.stderr}`);
    return match[1]!;
  };

  const expectExit = (result: CliResult, code: number) =>
    expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toMatchObject({ code });

  describe('apply', () => {
    it('applies a file: created the first time, unchanged the second', async () => {
      const file = writeWorkflow('single.yaml', { name: 'cli-single', tasks: [{ name: 'a' }] });
      const first = await flowctl(['apply', '-f', file]);
      expectExit(first, 0);
      expect(first.stdout).toContain('workflow/cli-single created (version 1)');
      const second = await flowctl(['apply', '-f', file]);
      expectExit(second, 0);
      expect(second.stdout).toContain('workflow/cli-single unchanged (version 1)');
    });

    it('applies every workflow file of a directory', async () => {
      writeWorkflow('folder/one.yaml', { name: 'cli-dir-one', tasks: [{ name: 'a' }] });
      writeWorkflow('folder/two.yml', { name: 'cli-dir-two', tasks: [{ name: 'a' }] });
      writeFileSync(join(dir, 'folder', 'notes.txt'), 'not a workflow');
      const result = await flowctl(['apply', '-f', join(dir, 'folder')]);
      expectExit(result, 0);
      expect(result.stdout).toContain('workflow/cli-dir-one created');
      expect(result.stdout).toContain('workflow/cli-dir-two created');
      expect((await stack.api.get('/workflows/cli-dir-two')).status).toBe(200);
    });

    it('applies a workflow read from stdin with -f -', async () => {
      const result = await flowctl(['apply', '-f', '-'], { stdin: aWorkflow({ name: 'cli-stdin', tasks: [{ name: 'a' }] }) });
      expectExit(result, 0);
      expect(result.stdout).toContain('workflow/cli-stdin created');
      expect((await stack.api.get('/workflows/cli-stdin')).status).toBe(200);
    });

    it('exits 2 with the reason on stderr for an invalid file, and stores nothing', async () => {
      const file = writeWorkflow('cycle.yaml', {
        name: 'cli-cycle',
        tasks: [
          { name: 'a', dependsOn: ['b'] },
          { name: 'b', dependsOn: ['a'] },
        ],
      });
      const result = await flowctl(['apply', '-f', file]);
      expectExit(result, 2);
      expect(result.stderr).toContain(file);
      expect(result.stderr).toMatch(/a -> b -> a|b -> a -> b/);
      expect((await stack.api.get('/workflows/cli-cycle')).status).toBe(404);
    });

    it('exits 2 for a file that does not exist', async () => {
      const result = await flowctl(['apply', '-f', join(dir, 'missing.yaml')]);
      expectExit(result, 2);
      expect(result.stderr).toContain('no such file or directory');
    });
  });

  describe('run', () => {
    it('runs a workflow with inputs and --wait: exit 0 and the final status printed', async () => {
      await apply({
        name: 'cli-greet',
        spec: { inputs: { who: { type: 'string' } } },
        tasks: [{ name: 'greet', with: { message: 'hello {{ inputs.who }}' } }],
      });
      const result = await flowctl(['run', 'cli-greet', '--input', 'who=cli', '--wait']);
      expectExit(result, 0);
      const id = runIdOf(result);
      expect(result.stdout).toMatch(new RegExp(`run/${id} succeeded`));
      const run = (await stack.api.get(`/runs/${id}`)).body;
      expect(run).toMatchObject({ status: 'succeeded', inputs: { who: 'cli' } });
      expect(run.tasks[0].output).toEqual({ message: 'hello cli' });
    });

    it('exits 1 when the awaited run fails', async () => {
      await apply({ name: 'cli-failing', tasks: [{ name: 'boom', type: 'fail', with: { message: 'kaput' } }] });
      const result = await flowctl(['run', 'cli-failing', '--wait']);
      expectExit(result, 1);
      expect(result.stdout).toMatch(new RegExp(`run/${runIdOf(result)} failed`));
      expect(result.stdout).toContain('kaput');
    });

    it('exits 2 for an input the workflow does not declare', async () => {
      const result = await flowctl(['run', 'cli-greet', '--input', 'who=cli', '--input', 'colour=red']);
      expectExit(result, 2);
      expect(result.stderr).toContain('unknown input "colour"');
    });
  });

  describe('get and describe', () => {
    let runId: string;

    beforeAll(async () => {
      await apply({ name: 'cli-two-steps', tasks: [{ name: 'first' }, { name: 'second', dependsOn: ['first'] }] });
      runId = (await stack.api.post('/workflows/cli-two-steps/runs')).body.id;
      await stack.waitForRun(runId);
    });

    it('prints runs as JSON with -o json', async () => {
      const result = await flowctl(['get', 'runs', '-o', 'json']);
      expectExit(result, 0);
      const runs = JSON.parse(result.stdout);
      expect(Array.isArray(runs)).toBe(true);
      expect(runs).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: runId, workflow: 'cli-two-steps', status: 'succeeded' })]),
      );
    });

    it('prints workflows as a table with a header', async () => {
      const result = await flowctl(['get', 'workflows']);
      expectExit(result, 0);
      const [header, ...rows] = result.stdout.trim().split('\n');
      expect(header!.split(/\s+/)).toEqual(['NAME', 'NAMESPACE', 'VERSION', 'UPDATED']);
      expect(rows.some((row) => row.split(/\s+/)[0] === 'cli-two-steps')).toBe(true);
    });

    it('describes a run with its tasks', async () => {
      const result = await flowctl(['describe', 'run', runId]);
      expectExit(result, 0);
      expect(result.stdout).toMatch(new RegExp(`^ID:\\s+${runId}$`, 'm'));
      expect(result.stdout).toMatch(/^Status:\s+succeeded$/m);
      expect(result.stdout).toMatch(/^Tasks:$/m);
      expect(result.stdout).toMatch(/^\s+first\s+noop\s+succeeded\s+1\s/m);
      expect(result.stdout).toMatch(/^\s+second\s+noop\s+succeeded\s+1\s/m);
    });

    it('exits 1 describing a run that does not exist', async () => {
      const result = await flowctl(['describe', 'run', '0190b5f0-0000-7000-8000-000000000000']);
      expectExit(result, 1);
      expect(result.stderr).toMatch(/not found/);
    });
  });

  describe('operating runs', () => {
    it('cancels a running run', async () => {
      await apply({ name: 'cli-sleepy', tasks: [{ name: 'nap', type: 'sleep', with: { duration: '10s' } }] });
      const id = (await stack.api.post('/workflows/cli-sleepy/runs')).body.id;
      await waitFor(async () => (await stack.api.get(`/runs/${id}`)).body.tasks[0].status === 'running', {
        timeoutMs: 10_000,
        what: 'the sleep to run',
      });
      const result = await flowctl(['cancel', 'run', id]);
      expectExit(result, 0);
      expect(result.stdout).toContain(`run/${id} cancelled`);
      const run = (await stack.api.get(`/runs/${id}`)).body;
      expect(run.status).toBe('cancelled');
      expect(run.tasks[0].status).toBe('cancelled');
      expectExit(await flowctl(['cancel', 'run', id]), 1);
    });

    it('retries a failed run from its failed task', async () => {
      await apply({ name: 'cli-retry', tasks: [{ name: 'flaky', type: 'fail', with: { untilAttempt: 2 } }] });
      const id = (await stack.api.post('/workflows/cli-retry/runs')).body.id;
      expect((await stack.waitForRun(id)).status).toBe('failed');
      const result = await flowctl(['retry', 'run', id]);
      expectExit(result, 0);
      expect(result.stdout).toContain(`run/${id} retried`);
      const run = await stack.waitForRun(id);
      expect(run.status).toBe('succeeded');
      expect(run.tasks[0]).toMatchObject({ status: 'succeeded', attempt: 2 });
    });

    it('lists a dead task with get dead-letters and requeues it with dlq requeue', async () => {
      await apply({ name: 'cli-dead', tasks: [{ name: 'doomed', type: 'fail', with: { message: 'no luck', untilAttempt: 2 } }] });
      const id = (await stack.api.post('/workflows/cli-dead/runs')).body.id;
      expect((await stack.waitForRun(id)).status).toBe('failed');

      const table = await flowctl(['get', 'dead-letters']);
      expectExit(table, 0);
      expect(table.stdout.split('\n')[0]!.split(/\s+/)).toEqual(['ID', 'RUN', 'WORKFLOW', 'TASK', 'TYPE', 'ATTEMPT', 'ERROR', 'DEAD-AT']);
      const row = table.stdout.split('\n').find((line) => line.includes(id));
      expect(row).toBeDefined();
      expect(row).toMatch(/cli-dead\s+doomed\s+fail\s+1\s+TaskFailed: no luck/);
      const letterId = row!.split(/\s+/)[0]!;

      const requeued = await flowctl(['dlq', 'requeue', letterId]);
      expectExit(requeued, 0);
      expect(requeued.stdout).toContain(`dead-letter/${letterId} requeued`);
      const run = await stack.waitForRun(id);
      expect(run.status).toBe('succeeded');
      const open = JSON.parse((await flowctl(['get', 'dead-letters', '-o', 'json'])).stdout);
      expect(open.map((letter: any) => letter.runId)).not.toContain(id);
    });
  });

  describe('usage and connection errors', () => {
    it('exits 2 for an unknown command', async () => {
      const result = await flowctl(['frobnicate']);
      expectExit(result, 2);
      expect(result.stderr).toMatch(/unknown command/);
    });

    it('exits 1 with a clear message when the server is unreachable', async () => {
      const port = await freePort();
      const result = await runFlowctl(['--server', `http://127.0.0.1:${port}`, 'get', 'workflows']);
      expectExit(result, 1);
      expect(result.stderr).toContain(`cannot reach the flowctl server at http://127.0.0.1:${port}`);
    });
  });
});
