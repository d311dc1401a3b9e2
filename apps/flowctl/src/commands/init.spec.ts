import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { flowctl } from '../testing/capture-io';
import { cliVersion } from '../version';

describe('flowctl init', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'flowctl-init-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a starter project into a new folder, with the commands to run it', async () => {
    const project = join(dir, 'my-flows');
    const { code, stdout } = await flowctl(['init', project]);
    expect(code).toBe(0);
    for (const file of [
      'workflows/hello.yaml',
      'workers/greet.ts',
      'workers/worker.py',
      'flowctl.yaml',
      'tsconfig.json',
      'README.md',
      'package.json',
    ])
      expect({ file, exists: existsSync(join(project, file)) }).toEqual({ file, exists: true });
    expect(stdout).toContain('npm install');
    expect(stdout).toContain('npx flowctl dev');

    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({
      name: 'my-flows',
      dependencies: { flowctl: `^${cliVersion()}`, '@flowctl/worker': `^${cliVersion()}` },
    });
    const workflow = load(readFileSync(join(project, 'workflows', 'hello.yaml'), 'utf8')) as { spec: { tasks: Array<{ type: string }> } };
    expect(workflow.spec.tasks.map((task) => task.type)).toEqual(['ts-greet', 'py-square', 'noop']);
    expect(readFileSync(join(project, 'workers', 'greet.ts'), 'utf8')).toContain("'ts-greet': greet");
    expect(readFileSync(join(project, 'workers', 'worker.py'), 'utf8')).toContain('@worker.task("py-square")');
    expect(load(readFileSync(join(project, 'flowctl.yaml'), 'utf8'))).toEqual({
      workers: [
        { name: 'ts', command: 'npm run --silent worker' },
        { name: 'py', command: 'python3 workers/worker.py' },
      ],
    });
  });

  it('keeps files that exist and adds only what package.json lacks', async () => {
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'mine', scripts: { dev: 'my own' }, dependencies: { flowctl: 'file:flowctl.tgz' } }),
    );
    writeFileSync(join(dir, 'README.md'), 'my readme\n');
    const { code, stdout } = await flowctl(['init', dir]);
    expect(code).toBe(0);
    expect(stdout).toContain('kept     README.md (exists)');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('my readme\n');
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(manifest.name).toBe('mine');
    expect(manifest.scripts).toMatchObject({ dev: 'my own', worker: 'tsc && node dist/greet.js' });
    expect(manifest.dependencies).toEqual({ flowctl: 'file:flowctl.tgz', '@flowctl/worker': `^${cliVersion()}` });
  });

  it('refuses a package.json that is not JSON (exit 2) and leaves it as it was', async () => {
    writeFileSync(join(dir, 'package.json'), '{ not json');
    const { code, stderr } = await flowctl(['init', dir]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/package\.json is not valid JSON/);
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe('{ not json');
    expect(existsSync(join(dir, 'workflows'))).toBe(false);
  });
});
