import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flowctl } from '../testing/capture-io';
import { type FakeApi, type RecordedRequest, startFakeApi, unusedServerUrl } from '../testing/fake-api-server';

const workflowYaml = (name: string): string =>
  `apiVersion: flowctl/v1\nkind: Workflow\nmetadata:\n  name: ${name}\nspec:\n  tasks:\n    - name: a\n      type: noop\n`;

/** Answers like the scheduler: `created` the first time a name is seen, `unchanged` after; 400 for a name with "bad". */
function applyRoute(): (request: RecordedRequest) => { status: number; body: unknown } {
  const seen = new Set<string>();
  return (request) => {
    const name = /name: (\S+)/.exec(request.body)?.[1] ?? /"name":\s*"([^"]+)"/.exec(request.body)?.[1] ?? '?';
    if (name.includes('bad')) {
      return {
        status: 400,
        body: { statusCode: 400, error: 'Bad Request', message: 'spec.tasks[0].dependsOn[0]: unknown task "lod" (did you mean "load"?)' },
      };
    }
    const result = seen.has(name) ? 'unchanged' : 'created';
    seen.add(name);
    return { status: 200, body: { name, namespace: 'default', version: 1, result } };
  };
}

describe('flowctl apply', () => {
  let api: FakeApi;
  let dir: string;
  beforeEach(async () => {
    api = await startFakeApi({ 'PUT /workflows': applyRoute() });
    dir = mkdtempSync(join(tmpdir(), 'flowctl-apply-'));
  });
  afterEach(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('sends the raw YAML and reports created, then unchanged', async () => {
    const path = file('etl.yaml', workflowYaml('etl'));
    const first = await flowctl(['apply', path], { server: api.url });
    expect(first).toEqual({ code: 0, stdout: 'workflow/etl created (version 1)\n', stderr: '' });
    expect(api.requests[0]).toMatchObject({ method: 'PUT', path: '/workflows', body: workflowYaml('etl') });
    expect(api.requests[0]?.headers['content-type']).toBe('application/yaml');

    const second = await flowctl(['apply', '-f', path], { server: api.url });
    expect(second.stdout).toBe('workflow/etl unchanged (version 1)\n');
    expect(second.code).toBe(0);
  });

  it('sends each document of a multi-document file on its own', async () => {
    const path = file('two.yaml', `${workflowYaml('one')}---\n${workflowYaml('two')}`);
    const result = await flowctl(['apply', '-f', path], { server: api.url });
    expect(result.stdout).toBe('workflow/one created (version 1)\nworkflow/two created (version 1)\n');
    expect(api.requests.map((request) => request.body)).toEqual([workflowYaml('one'), workflowYaml('two')]);
  });

  it('applies every workflow file of a directory in name order, and JSON as JSON', async () => {
    const sub = join(dir, 'defs');
    mkdirSync(sub);
    writeFileSync(join(sub, 'b.yml'), workflowYaml('b'));
    writeFileSync(join(sub, 'a.yaml'), workflowYaml('a'));
    writeFileSync(join(sub, 'c.json'), JSON.stringify({ apiVersion: 'flowctl/v1', kind: 'Workflow', metadata: { name: 'c' } }));
    writeFileSync(join(sub, 'README.md'), '# not a workflow');
    mkdirSync(join(sub, 'nested.yaml'));

    const result = await flowctl(['apply', '-f', sub], { server: api.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('workflow/a created (version 1)\nworkflow/b created (version 1)\nworkflow/c created (version 1)\n');
    expect(api.requests[2]?.headers['content-type']).toBe('application/json');
  });

  it('reads - from stdin', async () => {
    const result = await flowctl(['apply', '-f', '-'], { server: api.url, stdin: workflowYaml('piped') });
    expect(result.stdout).toBe('workflow/piped created (version 1)\n');
  });

  it('prints a 400 as FILE: message, goes on with the other files and exits 2', async () => {
    const bad = file('bad.yaml', workflowYaml('bad'));
    const good = file('good.yaml', workflowYaml('good'));
    const result = await flowctl(['apply', '-f', bad, '-f', good], { server: api.url });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${bad}: spec.tasks[0].dependsOn[0]: unknown task "lod" (did you mean "load"?)\n`);
    expect(result.stdout).toBe('workflow/good created (version 1)\n');
  });

  it('names the document of a multi-document file that was rejected', async () => {
    const path = file('mixed.yaml', `${workflowYaml('fine')}---\n${workflowYaml('bad')}`);
    const result = await flowctl(['apply', path], { server: api.url });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(document 2\\): spec.tasks`));
  });

  it('exits 2 for a file it cannot read, still applying the others', async () => {
    const good = file('good.yaml', workflowYaml('good'));
    const result = await flowctl(['apply', '-f', join(dir, 'missing.yaml'), '-f', good], { server: api.url });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${join(dir, 'missing.yaml')}: cannot read: no such file or directory\n`);
    expect(result.stdout).toBe('workflow/good created (version 1)\n');
  });

  it('exits 2 for a file with no workflow in it', async () => {
    const result = await flowctl(['apply', file('empty.yaml', '# nothing yet\n')], { server: api.url });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no workflow definition in it');
    expect(api.requests).toHaveLength(0);
  });

  it('exits 1 when the server cannot be reached', async () => {
    const result = await flowctl(['apply', file('etl.yaml', workflowYaml('etl'))], { server: await unusedServerUrl() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: cannot reach the flowctl server at http:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/);
  });
});
