import { join } from 'node:path';
import { importCycles, importGraph } from './support/import-graph';

const ROOT = join(__dirname, '..');

/**
 * A cycle makes two modules one: neither can be read, tested or moved without the other, and
 * under CommonJS one of them sees the other half-loaded. The arrows point one way instead.
 */
describe('the import graph', () => {
  const server = importGraph(ROOT);

  it('has no cycle among the server, libraries, tests and benchmarks', () => {
    expect(server.size).toBeGreaterThan(300);
    expect(importCycles(server).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it('has no cycle in the dashboard', () => {
    const web = importGraph(ROOT, 'web/tsconfig.json');
    expect(web.size).toBeGreaterThan(30);
    expect(importCycles(web).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it('keeps use cases from importing duties: duties call use cases, not the other way', () => {
    const backwards = [...server]
      .filter(([file]) => file.startsWith('apps/scheduler/src/use-cases/'))
      .flatMap(([file, imports]) =>
        imports.filter((target) => target.startsWith('apps/scheduler/src/duties/')).map((t) => `${file} -> ${t}`),
      );
    expect(backwards).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts', 'd.ts']],
      ['e.ts', []],
    ]);
    expect(importCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['d.ts']]);
  });
});
