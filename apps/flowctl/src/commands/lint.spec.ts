import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flowctl } from '../testing/capture-io';
import { unusedServerUrl } from '../testing/fake-api-server';

describe('flowctl lint', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flowctl-lint-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('passes a valid file without asking any server', async () => {
    const path = file(
      'ok.yaml',
      'apiVersion: flowctl/v1\nkind: Workflow\nmetadata:\n  name: ok\nspec:\n  tasks:\n    - name: a\n      type: noop\n',
    );
    const result = await flowctl(['--server', await unusedServerUrl(), 'lint', path]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(`${path}: workflow/ok is valid\n`);
  });

  it('reports each problem as apply would, with the place and line, and exits 2', async () => {
    const path = file(
      'broken.yaml',
      [
        'apiVersion: flowctl/v1',
        'kind: Workflow',
        'metadata:',
        '  name: broken',
        'spec:',
        '  schedule: { cron: "0 0 31 2 *" }',
        '  tasks:',
        '    - name: load',
        '      type: noop',
        '    - name: report',
        '      type: noop',
        '      dependsOn: [lod]',
        '',
      ].join('\n'),
    );
    const result = await flowctl(['lint', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path}: spec.tasks[1].dependsOn[0]: unknown task "lod" (did you mean "load"?) (line 12)`);
    expect(result.stderr).toContain(`${path}: spec.schedule.cron: "0 0 31 2 *" never fires`);
  });

  it('checks every document of a directory and says which are bad', async () => {
    file('a.yaml', 'apiVersion: flowctl/v1\nkind: Workflow\nmetadata:\n  name: a\nspec:\n  tasks:\n    - name: a\n      type: noop\n');
    file('b.json', '{"apiVersion": "flowctl/v1", "kind": "Workflow", "metadata": {"name": "B!"}, "spec": {"tasks": []}}');
    const result = await flowctl(['lint', dir]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('a.yaml: workflow/a is valid');
    expect(result.stderr).toMatch(/b\.json: metadata\.name: /);
  });
});
