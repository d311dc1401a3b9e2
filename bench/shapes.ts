import { dump } from 'js-yaml';

const document = (name: string, tasks: object[]) =>
  dump({ apiVersion: 'flowctl/v1', kind: 'Workflow', metadata: { name }, spec: { tasks } }, { flowLevel: 3 });

/** One root, `width` noop children, one join. */
export function fanOutWorkflow(name: string, width: number): string {
  const children = Array.from({ length: width }, (_, i) => `c${i}`);
  return document(name, [
    { name: 'root', type: 'noop' },
    ...children.map((child) => ({ name: child, type: 'noop', dependsOn: ['root'] })),
    { name: 'join', type: 'noop', dependsOn: children },
  ]);
}

/** `length` noop tasks, each depending on the one before. */
export function chainWorkflow(name: string, length: number): string {
  return document(
    name,
    Array.from({ length }, (_, i) => ({ name: `t${i}`, type: 'noop', ...(i > 0 ? { dependsOn: [`t${i - 1}`] } : {}) })),
  );
}
