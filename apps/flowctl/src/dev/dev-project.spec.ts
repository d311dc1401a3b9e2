import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInput } from '../errors';
import { namedWorkers, projectWorkers, workerName } from './dev-project';

describe('workerName', () => {
  it.each([
    ['python3 worker.py', 'worker'],
    ['node dist/greet.js', 'greet'],
    ['npm run --silent worker', 'worker'],
    ['./bin/serve --verbose', 'serve'],
  ])('names %s %s', (command, name) => expect(workerName(command, new Set())).toBe(name));

  it('numbers a name that is taken', () => {
    expect(namedWorkers(['python3 a/serve.py', 'python3 b/serve.py']).map((w) => w.name)).toEqual(['serve', 'serve-2']);
  });

  it("keeps flowctl's own prefixes (scheduler, worker) for flowctl's own processes", () => {
    expect(namedWorkers(['python3 worker.py']).map((w) => w.name)).toEqual(['worker-2']);
  });
});

describe('projectWorkers', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'flowctl-project-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is empty without flowctl.yaml', () => expect(projectWorkers(dir)).toEqual([]));

  it('reads named workers and plain commands', () => {
    writeFileSync(join(dir, 'flowctl.yaml'), 'workers:\n  - name: ts\n    command: npm run worker\n  - python3 worker.py\n');
    expect(projectWorkers(dir)).toEqual([
      { name: 'ts', command: 'npm run worker' },
      { name: 'worker-2', command: 'python3 worker.py' },
    ]);
  });

  it.each([
    ['workers: python3 worker.py\n', /workers must be a list/],
    ['workers:\n  - name: ts\n', /workers\[0\] needs a command/],
    ['workers:\n  - { name: "a b", command: x }\n', /must be a short word/],
    ['workers:\n  - { name: a, command: x }\n  - { name: a, command: y }\n', /the name a is taken/],
    ['workers: [\n', /flowctl.yaml: /],
  ])('refuses %j with a clear error', (text, message) => {
    writeFileSync(join(dir, 'flowctl.yaml'), text);
    expect(() => projectWorkers(dir)).toThrow(InvalidInput);
    expect(() => projectWorkers(dir)).toThrow(message);
  });
});
