import { dump } from 'js-yaml';

const document = (name: string, tasks: object[], spec: object = {}) =>
  dump({ apiVersion: 'flowctl/v1', kind: 'Workflow', metadata: { name }, spec: { ...spec, tasks } }, { flowLevel: 3 });

/** One root, `width` noop children, one join, each child a task of the definition (up to the 10,000-task limit). */
export function fanOutWorkflow(name: string, width: number, type = 'noop'): string {
  const children = Array.from({ length: width }, (_, i) => `c${i}`);
  return document(name, [
    { name: 'root', type },
    ...children.map((child) => ({ name: child, type, dependsOn: ['root'] })),
    { name: 'join', type, dependsOn: children },
  ]);
}

/**
 * The same shape past the definition's task limit: the children are the
 * instances of one `forEach` task over the output of the root, which returns
 * a list of `width` items written into the definition. Not a run input: the
 * run row is read by every result transaction, and a 100,000-item input there
 * would charge each task for re-reading it.
 */
export function forEachFanOutWorkflow(name: string, width: number): string {
  return document(name, [
    { name: 'root', type: 'noop', with: { items: new Array<number>(width).fill(0) } },
    { name: 'children', type: 'noop', dependsOn: ['root'], forEach: '{{ tasks.root.output.items }}' },
    { name: 'join', type: 'noop', dependsOn: ['children'] },
  ]);
}

/** `length` noop tasks (or tasks of `type`), each depending on the one before. */
export function chainWorkflow(name: string, length: number, type = 'noop'): string {
  return document(
    name,
    Array.from({ length }, (_, i) => ({ name: `t${i}`, type, ...(i > 0 ? { dependsOn: [`t${i - 1}`] } : {}) })),
  );
}

/** a, then b c d, then e: five tasks. */
export function diamondWorkflow(name: string): string {
  return document(name, [
    { name: 'a', type: 'noop' },
    ...['b', 'c', 'd'].map((task) => ({ name: task, type: 'noop', dependsOn: ['a'] })),
    { name: 'e', type: 'noop', dependsOn: ['b', 'c', 'd'] },
  ]);
}

/** One noop task: what the start-run load row starts. */
export function singleTaskWorkflow(name: string): string {
  return document(name, [{ name: 'only', type: 'noop' }]);
}

/** One root, `width` children of `type` (with `input`), one join: the fan-out of the task-log rows. */
export function typedFanOutWorkflow(name: string, width: number, type: string, input: object = {}): string {
  const children = Array.from({ length: width }, (_, i) => `c${i}`);
  return document(name, [
    { name: 'root', type: 'noop' },
    // A copy each: one shared object would be written as a YAML alias, and the server refuses many of them.
    ...children.map((child) => ({ name: child, type, with: { ...input }, dependsOn: ['root'] })),
    { name: 'join', type: 'noop', dependsOn: children },
  ]);
}

/** One noop task started by each `bench.event` whose data says so (`event.data.start`): the events row's listener. */
export function eventTriggeredWorkflow(name: string, filter: string): string {
  return document(name, [{ name: 'only', type: 'noop', with: { n: '{{ inputs.n }}' } }], {
    inputs: { n: { type: 'integer' } },
    on: [{ event: 'bench.event', filter, inputs: { n: '{{ event.data.n }}' } }],
  });
}
