import { describe, expect, it } from 'vitest';
import type { Task } from '@flowctl/api-contract';
import { placeholderTask } from '../model/run-state';
import { buildDag, commonPrefixLabel, type DagGroupNode, type DagTaskDefinition } from './dag-model';
import { layoutDag, NODE_HEIGHT, NODE_WIDTH } from './dag-layout';

const def = (name: string, dependsOn: string[] = [], extra: Partial<DagTaskDefinition> = {}): DagTaskDefinition => ({
  name,
  type: 'noop',
  dependsOn,
  ...extra,
});
const task = (name: string, status: Task['status'], extra: Partial<Task> = {}): Task => ({
  ...placeholderTask(name),
  type: 'noop',
  status,
  ...extra,
});
const tasksOf = (...list: Task[]) => new Map(list.map((t) => [t.name, t]));

/** start -> shard-000..shard-(n-1) -> join */
function fanOut(n: number): DagTaskDefinition[] {
  const shards = Array.from({ length: n }, (_, i) => def(`shard-${String(i).padStart(3, '0')}`, ['start']));
  return [
    def('start'),
    ...shards,
    def(
      'join',
      shards.map((s) => s.name),
    ),
  ];
}

describe('buildDag', () => {
  it('draws one node per task and one edge per dependency of a small workflow', () => {
    const model = buildDag({ definition: [def('a'), def('b', ['a']), def('c', ['a']), def('d', ['b', 'c'])] });
    expect(model.nodes.map((n) => n.id)).toEqual(['t:a', 't:b', 't:c', 't:d']);
    expect(model.edges.map((e) => e.id).sort()).toEqual(['t:a->t:b', 't:a->t:c', 't:b->t:d', 't:c->t:d']);
    expect(model.nodes.every((n) => n.status === 'not_run')).toBe(true);
  });

  it('colours nodes by the run task status, and tasks the run has not created yet as pending', () => {
    const model = buildDag({ definition: [def('a'), def('b', ['a'])], tasks: tasksOf(task('a', 'succeeded', { attempt: 2 })) });
    expect(model.nodes).toMatchObject([
      { id: 't:a', status: 'succeeded', attempt: 2 },
      { id: 't:b', status: 'pending' },
    ]);
  });

  it('collapses a wide fan-out of like siblings into one group node with status counts', () => {
    const definition = fanOut(200);
    const statuses: Task[] = definition.slice(1, 201).map((d, i) => task(d.name, i < 150 ? 'succeeded' : i < 197 ? 'running' : 'failed'));
    const model = buildDag({ definition, tasks: tasksOf(task('start', 'succeeded'), ...statuses) });

    expect(model.nodes).toHaveLength(3);
    const group = model.nodes.find((n) => n.kind === 'group') as DagGroupNode;
    expect(group).toMatchObject({ label: 'shard-* ×200', status: 'failed', counts: { succeeded: 150, running: 47, failed: 3 } });
    expect(group.members).toHaveLength(200);
    expect(model.nodeIdOf.get('shard-123')).toBe(group.id);
    expect(model.edges.map((e) => e.id).sort()).toEqual([`${group.id}->t:join`, `t:start->${group.id}`].sort());
  });

  it('keeps a small fan-out as separate nodes', () => {
    const model = buildDag({ definition: fanOut(5) });
    expect(model.nodes.filter((n) => n.kind === 'task')).toHaveLength(7);
  });

  it('draws the instances of a forEach task as one group under the task, in item order', () => {
    const definition = [def('list'), def('each', ['list'], { forEach: '{{ tasks.list.output.items }}' }), def('after', ['each'])];
    const instances = [2, 0, 1, 10].map((i) => task(`each[${i}]`, i === 1 ? 'running' : 'succeeded'));
    const model = buildDag({ definition, tasks: tasksOf(task('list', 'succeeded'), task('each', 'running'), ...instances) });

    const group = model.nodes.find((n) => n.id === 't:each') as DagGroupNode;
    expect(group).toMatchObject({
      kind: 'group',
      fanOutOf: 'each',
      status: 'running',
      label: 'each ×4',
      counts: { succeeded: 3, running: 1 },
    });
    expect(group.members).toEqual(['each[0]', 'each[1]', 'each[2]', 'each[10]']);
    expect(model.nodeIdOf.get('each[10]')).toBe('t:each');
    expect(model.edges.map((e) => e.id)).toEqual(['t:list->t:each', 't:each->t:after']);
  });

  it('draws a counted fan-out as one group with the counts and total the stream sent', () => {
    const definition = [def('list'), def('each', ['list'], { forEach: '{{ tasks.list.output.items }}' }), def('after', ['each'])];
    const fanOuts = new Map([['each', { task: 'each', total: 100_000, counts: { succeeded: 60_000, running: 40, queued: 39_960 } }]]);
    const model = buildDag({ definition, tasks: tasksOf(task('list', 'succeeded'), task('each', 'running')), fanOuts });
    const group = model.nodes.find((n) => n.id === 't:each') as DagGroupNode;
    expect(group).toMatchObject({
      kind: 'group',
      fanOutOf: 'each',
      label: 'each ×100000',
      total: 100_000,
      counted: true,
      members: [],
      counts: { succeeded: 60_000, running: 40, queued: 39_960 },
    });
    expect(model.edges.map((e) => e.id)).toEqual(['t:list->t:each', 't:each->t:after']);
    const later = buildDag({
      definition,
      tasks: tasksOf(task('list', 'succeeded'), task('each', 'running')),
      fanOuts: new Map([['each', { task: 'each', total: 100_000, counts: { succeeded: 70_000, queued: 30_000 } }]]),
    });
    expect(later.structureKey).toBe(model.structureKey);
  });

  it('still draws the run tasks when the definition is unknown', () => {
    const model = buildDag({ tasks: tasksOf(task('x', 'succeeded'), task('y', 'failed')) });
    expect(model.nodes.map((n) => [n.id, n.status])).toEqual([
      ['t:x', 'succeeded'],
      ['t:y', 'failed'],
    ]);
    expect(model.edges).toEqual([]);
  });

  it('keeps the same structure key when only statuses change, so the layout is not redone', () => {
    const definition = fanOut(3);
    const before = buildDag({ definition, tasks: tasksOf(task('start', 'running')) });
    const after = buildDag({ definition, tasks: tasksOf(task('start', 'succeeded'), task('shard-000', 'running')) });
    expect(after.structureKey).toBe(before.structureKey);
  });

  it('stays small for a 1,000-task fan-out', () => {
    const model = buildDag({ definition: fanOut(1_000) });
    expect(model.nodes).toHaveLength(3);
  });
});

describe('commonPrefixLabel', () => {
  it('names a group by the shared prefix up to a word boundary', () => {
    expect(commonPrefixLabel(['load-users', 'load-orders'])).toBe('load-*');
    expect(commonPrefixLabel(['alpha', 'beta'])).toBeUndefined();
  });
});

describe('layoutDag', () => {
  it('places dependencies left of their dependents, without overlaps', () => {
    const model = buildDag({ definition: [def('a'), def('b', ['a']), def('c', ['a']), def('d', ['b', 'c'])] });
    const at = layoutDag(model);
    expect(at.get('t:a')!.x).toBeLessThan(at.get('t:b')!.x);
    expect(at.get('t:b')!.x).toBeLessThan(at.get('t:d')!.x);
    const b = at.get('t:b')!;
    const c = at.get('t:c')!;
    expect(Math.abs(b.y - c.y) >= NODE_HEIGHT || Math.abs(b.x - c.x) >= NODE_WIDTH).toBe(true);
  });

  // How long it takes is for a benchmark, not a test on a shared machine; this proves it copes with the size.
  it('lays out a 1,000-task chain left to right', () => {
    const definition = Array.from({ length: 1_000 }, (_, i) => def(`step-${i}`, i === 0 ? [] : [`step-${i - 1}`]));
    const at = layoutDag(buildDag({ definition }));
    expect(at.size).toBe(1_000);
    expect(at.get('t:step-0')!.x).toBeLessThan(at.get('t:step-999')!.x);
  });
});
