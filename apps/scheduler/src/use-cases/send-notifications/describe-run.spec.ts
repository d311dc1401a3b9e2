import type { Queryable, RunRow } from '@flowctl/persistence';
import type { CompiledWorkflow } from '../../engine/compiled-workflow';
import { describeRun, MAX_OUTPUTS_BYTES, type RunReads } from './describe-run';

const run = {
  id: 'r1',
  namespace: 'default',
  workflowName: 'etl',
  version: 2,
  status: 'succeeded',
  error: null,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  startedAt: new Date('2026-01-01T00:00:01Z'),
  finishedAt: new Date('2026-01-01T00:00:09Z'),
} as RunRow;

/** extract -> load, extract -> report: load and report are the last tasks. */
const workflow = {
  definition: { spec: { tasks: [{ name: 'extract' }, { name: 'load' }, { name: 'report' }] } },
  dependentsOf: (name: string) => (name === 'extract' ? ['load', 'report'] : []),
} as unknown as CompiledWorkflow;

const reads = (outputs: Record<string, unknown>): RunReads & { asked: string[][] } => {
  const asked: string[][] = [];
  return {
    asked,
    failedTasksOf: async () => [],
    outputs: async (_db, _runId, names) => {
      asked.push([...names]);
      return names.map((name) => ({ name, status: name === 'report' ? 'skipped' : 'succeeded', output: outputs[name] ?? null }));
    },
  };
};

/** describeRun reads only through `reads`: the database handle is passed along, never queried. */
const db = {} as Queryable;

describe('describeRun', () => {
  it('carries the outputs of the last tasks that succeeded, and links the dashboard', async () => {
    const fake = reads({ load: { rows: 3 }, report: { ignored: true } });
    const described = await describeRun(db, run, workflow, fake, 'https://flowctl.example.com');
    expect(fake.asked).toEqual([['load', 'report']]);
    expect(described).toMatchObject({
      id: 'r1',
      workflow: 'etl',
      status: 'succeeded',
      finishedAt: '2026-01-01T00:00:09.000Z',
      outputs: { load: { rows: 3 } },
      url: 'https://flowctl.example.com/runs/r1',
    });
  });

  it('leaves outputs out when together they are too large to send, and the link when no dashboard is known', async () => {
    const described = await describeRun(db, run, workflow, reads({ load: 'x'.repeat(MAX_OUTPUTS_BYTES) }), undefined);
    expect(described.outputs).toEqual({});
    expect(described).not.toHaveProperty('url');
  });
});
