import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFlowctl } from './support/flowctl-cli';
import { FlowctlStack } from './support/flowctl-stack';

const workflow = (sleep: string) =>
  [
    'apiVersion: flowctl/v1',
    'kind: Workflow',
    'metadata:',
    '  name: nightly',
    'spec:',
    '  tasks:',
    '    - name: wait',
    '      type: sleep',
    `      with: { duration: ${sleep} }`,
    '',
  ].join('\n');

/** What apply would do, seen before doing it: apply --dry-run, diff, and delete, against a real scheduler. */
describe('flowctl apply --dry-run, diff and delete workflow', () => {
  let stack: FlowctlStack;
  let dir: string;
  const cli = (...args: string[]) => runFlowctl(['--server', stack.url, ...args]);

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'cli_changes', workers: 0 });
    dir = mkdtempSync(join(tmpdir(), 'flowctl-changes-'));
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const file = (text: string) => {
    const path = join(dir, 'nightly.yaml');
    writeFileSync(path, text);
    return path;
  };

  it('tells what apply would do without storing anything, then diffs the file against the server', async () => {
    const path = file(workflow('1s'));
    const dryNew = await cli('apply', '--dry-run', path);
    expect(dryNew).toMatchObject({ code: 0, stdout: 'workflow/nightly created (version 1) (dry run: nothing stored)\n' });
    expect((await stack.api.get('/workflows/nightly')).status).toBe(404);

    const diffNew = await cli('diff', path);
    expect(diffNew.code).toBe(1);
    expect(diffNew.stdout).toContain('--- workflow/nightly (not on the server)');
    expect(diffNew.stdout).toContain('+  name: nightly');

    expect((await cli('apply', path)).stdout).toBe('workflow/nightly created (version 1)\n');
    expect(await cli('diff', path)).toMatchObject({ code: 0, stdout: '' });
    expect((await cli('apply', '--dry-run', path)).stdout).toBe('workflow/nightly unchanged (version 1) (dry run: nothing stored)\n');

    file(workflow('2s'));
    const changed = await cli('diff', path);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain('--- workflow/nightly version 1 (server)');
    expect(changed.stdout).toMatch(/^- +duration: 1s$/m);
    expect(changed.stdout).toMatch(/^\+ +duration: 2s$/m);
    expect((await cli('apply', '--dry-run', path)).stdout).toBe('workflow/nightly configured (version 2) (dry run: nothing stored)\n');
    expect((await stack.api.get('/workflows/nightly')).body.version).toBe(1);
  });

  it('refuses an invalid file in a dry run as apply does, with exit code 2', async () => {
    const path = file(workflow('1s').replace('type: sleep', 'type: sleep\n      dependsOn: [nope]'));
    const dry = await cli('apply', '--dry-run', path);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain('unknown task "nope"');
    expect((await cli('diff', path)).code).toBe(2);
    const maybe = await fetch(`${stack.url}/api/v1/workflows?dryRun=maybe`, {
      method: 'PUT',
      headers: { 'content-type': 'application/yaml' },
      body: workflow('1s'),
    });
    expect(maybe.status).toBe(400);
    expect(((await maybe.json()) as { message: string }).message).toContain('dryRun must be true or false');
  });

  it('deletes a workflow; its name is then free and unknown names are a 404 (exit 1)', async () => {
    expect(await cli('delete', 'workflow', 'nightly')).toMatchObject({ code: 0, stdout: 'workflow/nightly deleted\n' });
    expect((await stack.api.get('/workflows/nightly')).status).toBe(404);
    const again = await cli('delete', 'workflow', 'nightly');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('workflow "nightly" not found');
  });
});
