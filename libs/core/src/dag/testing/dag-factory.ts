import type { DagNode } from '../dag-node';

/** `graph('a', 'b<a', 'c<a,b')`: each node, then `<` and what it depends on. Test shorthand. */
export function graph(...specs: string[]): DagNode[] {
  return specs.map((spec) => {
    const [name, deps] = spec.split('<');
    return { name: name!, dependsOn: deps ? deps.split(',') : [] };
  });
}

/** `n0 <- n1 <- ... <- n(count-1)`: each node depends on the one before. */
export const chain = (count: number): DagNode[] =>
  Array.from({ length: count }, (_, i) => ({ name: `n${i}`, dependsOn: i === 0 ? [] : [`n${i - 1}`] }));
