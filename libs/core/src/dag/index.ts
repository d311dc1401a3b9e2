export type { DagNode } from './dag-node';
export { findCycle, formatCycle } from './cycle-path';
export { topologicalOrder } from './topological-order';
export { ancestorsOf, ancestryOf, type Ancestry } from './ancestors';
export { dependentsOf } from './dependents';
export { closestName } from './closest-name';
