import type { FanOutSummary, Task, TaskDefinition, TaskStatus } from '@flowctl/api-contract';

/** A task as the graph needs it: a stored definition, or just the name and type of a task seen only in the run. */
export type DagTaskDefinition = Pick<TaskDefinition, 'name' | 'type'> & Partial<Omit<TaskDefinition, 'name' | 'type'>>;
import { aggregateStatus, type AnyStatus } from '../model/status';

export interface DagTaskNode {
  kind: 'task';
  id: string;
  name: string;
  type: string;
  status: AnyStatus;
  attempt: number;
  /** A forEach task that has not expanded yet (on a workflow page, or before its list is known). */
  forEach: boolean;
}

/** Many tasks drawn as one node: the instances of a forEach task, or a wide fan-out of like siblings. */
export interface DagGroupNode {
  kind: 'group';
  id: string;
  label: string;
  type: string;
  status: AnyStatus;
  /** Task names, in definition (or item) order. */
  members: string[];
  counts: Partial<Record<TaskStatus, number>>;
  /** Set for a forEach task: its own name (its row tracks the fan-out as a whole). */
  fanOutOf?: string;
  /** How many tasks the group stands for: `members.length`, or a counted fan-out's total. */
  total: number;
  /** A fan-out held as counts: `members` is empty, and the group panel pages the instances from the API. */
  counted?: boolean;
}

export type DagNode = DagTaskNode | DagGroupNode;

export interface DagEdge {
  id: string;
  source: string;
  target: string;
}

export interface DagModel {
  nodes: DagNode[];
  edges: DagEdge[];
  /** Which node draws a task (a member of a group maps to the group). */
  nodeIdOf: Map<string, string>;
  /** Identifies the graph's shape: the layout is recomputed only when this changes, never for a status change. */
  structureKey: string;
}

export interface DagInput {
  /** The tasks of the workflow version the run was started from (edges come from their dependsOn). */
  definition?: readonly DagTaskDefinition[];
  /** The run's tasks by name; absent on a workflow page, where nothing has run. */
  tasks?: ReadonlyMap<string, Task>;
  /** The fan-outs the run stream sends as counts per status, by forEach task name. */
  fanOuts?: ReadonlyMap<string, FanOutSummary>;
  /** Like siblings collapse into a group from this many on; default depends on the graph's size. */
  groupAtLeast?: number;
}

/** forEach instances are named `task[index]`. */
const INSTANCE = /^(.+)\[(\d+)\]$/;

export const taskNodeId = (name: string) => `t:${name}`;

/**
 * Small graphs show every task; big ones collapse wide fan-outs, because 200
 * identical boxes say less than one box that says "200, 180 done, 3 failed".
 */
export const defaultGroupThreshold = (taskCount: number): number => (taskCount > 100 ? 8 : 30);

function countStatuses(names: readonly string[], tasks: ReadonlyMap<string, Task> | undefined): Partial<Record<TaskStatus, number>> {
  const counts: Partial<Record<TaskStatus, number>> = {};
  for (const name of names) {
    const status = tasks?.get(name)?.status ?? 'pending';
    counts[status] = (counts[status] ?? 0) + 1;
  }
  return counts;
}

/** `shard-001`, `shard-002`, ... -> `shard-*`; no shared prefix -> undefined. */
export function commonPrefixLabel(names: readonly string[]): string | undefined {
  if (names.length === 0) return undefined;
  let prefix = names[0]!;
  for (const name of names) {
    let i = 0;
    while (i < prefix.length && i < name.length && prefix[i] === name[i]) i++;
    prefix = prefix.slice(0, i);
  }
  // Cut back to a word boundary so `load-a`, `load-b` read `load-*`, not `load-*` with half a word.
  const boundary = Math.max(prefix.lastIndexOf('-'), prefix.lastIndexOf('_'), prefix.lastIndexOf('.'));
  const trimmed = boundary >= 0 ? prefix.slice(0, boundary + 1) : prefix;
  return trimmed.length >= 2 ? `${trimmed}*` : undefined;
}

/** FNV-1a: a short, stable fingerprint of a long string (the shape of a 1,000-node graph). */
function hashText(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/** Builds the graph a run (or a workflow) is drawn as: nodes with statuses, edges, and the groups. */
export function buildDag(input: DagInput): DagModel {
  const tasks = input.tasks;
  const definition = input.definition ?? [];
  const known = new Set(definition.map((task) => task.name));

  // The tasks to draw: the definition's, plus any run task it does not know (a changed definition, a missing version).
  const defs: DagTaskDefinition[] = [...definition];
  const instances = new Map<string, string[]>();
  for (const task of tasks?.values() ?? []) {
    const match = INSTANCE.exec(task.name);
    if (match && (known.has(match[1]!) || tasks?.has(match[1]!))) {
      const list = instances.get(match[1]!) ?? [];
      list.push(task.name);
      instances.set(match[1]!, list);
    } else if (!known.has(task.name)) {
      defs.push({ name: task.name, type: task.type });
      known.add(task.name);
    }
  }
  for (const list of instances.values()) list.sort((a, b) => Number(INSTANCE.exec(a)![2]) - Number(INSTANCE.exec(b)![2]));

  const dependents = new Map<string, string[]>();
  for (const task of defs) for (const dep of task.dependsOn ?? []) dependents.set(dep, [...(dependents.get(dep) ?? []), task.name]);

  // Siblings: same type, same upstream, same downstream, no forEach of their own.
  const threshold = input.groupAtLeast ?? defaultGroupThreshold(defs.length);
  const siblings = new Map<string, string[]>();
  for (const task of defs) {
    if (task.forEach !== undefined || instances.has(task.name)) continue;
    const key = `${task.type}|${[...(task.dependsOn ?? [])].sort().join(',')}|${[...(dependents.get(task.name) ?? [])].sort().join(',')}`;
    siblings.set(key, [...(siblings.get(key) ?? []), task.name]);
  }

  const nodes: DagNode[] = [];
  const nodeIdOf = new Map<string, string>();
  const grouped = new Set<string>();
  for (const members of siblings.values()) {
    if (members.length < threshold) continue;
    const first = defs.find((task) => task.name === members[0])!;
    const id = `g:${members[0]}`;
    const counts = countStatuses(members, tasks);
    nodes.push({
      kind: 'group',
      id,
      label: `${commonPrefixLabel(members) ?? first.type} ×${members.length}`,
      type: first.type,
      status: tasks ? aggregateStatus(counts) : 'not_run',
      members,
      counts,
      total: members.length,
    });
    for (const name of members) {
      nodeIdOf.set(name, id);
      grouped.add(name);
    }
  }

  for (const task of defs) {
    if (grouped.has(task.name)) continue;
    const id = taskNodeId(task.name);
    const row = tasks?.get(task.name);
    const status: AnyStatus = tasks ? (row?.status ?? 'pending') : 'not_run';
    const summary = input.fanOuts?.get(task.name);
    const members = summary ? [] : instances.get(task.name);
    if (summary) {
      nodes.push({
        kind: 'group',
        id,
        label: `${task.name} ×${summary.total}`,
        type: task.type || row?.type || '',
        status,
        members: [],
        counts: summary.counts,
        fanOutOf: task.name,
        total: summary.total,
        counted: true,
      });
    } else if (members) {
      nodes.push({
        kind: 'group',
        id,
        label: `${task.name} ×${members.length}`,
        type: task.type || row?.type || '',
        status,
        members,
        counts: countStatuses(members, tasks),
        fanOutOf: task.name,
        total: members.length,
      });
      for (const name of members) nodeIdOf.set(name, id);
    } else {
      nodes.push({
        kind: 'task',
        id,
        name: task.name,
        type: task.type || row?.type || '',
        status,
        attempt: row?.attempt ?? 0,
        forEach: task.forEach !== undefined,
      });
    }
    nodeIdOf.set(task.name, id);
  }

  const edges: DagEdge[] = [];
  const seen = new Set<string>();
  for (const task of defs) {
    const target = nodeIdOf.get(task.name)!;
    for (const dep of task.dependsOn ?? []) {
      const source = nodeIdOf.get(dep);
      if (!source || source === target) continue;
      const id = `${source}->${target}`;
      if (seen.has(id)) continue;
      seen.add(id);
      edges.push({ id, source, target });
    }
  }

  const shape = `${nodes.map((node) => `${node.id}:${node.kind}`).join('|')}#${edges.map((edge) => edge.id).join('|')}`;
  return { nodes, edges, nodeIdOf, structureKey: `${nodes.length}-${edges.length}-${hashText(shape)}` };
}
