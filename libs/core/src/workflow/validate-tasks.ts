import { closestName } from '../dag/closest-name';
import { findCycle, formatCycle } from '../dag/cycle-path';
import { field, kindOf, readDuration, readEnum, readInteger, readList, readMapping, readRequired, readString } from './document-fields';
import { indexPath, keyPath } from './issue-path';
import type { IssueList } from './issue-list';
import { cloneJson } from './json-value';
import { readName, readTaskType } from './names';
import { checkShellTask, SHELL_TASK_TYPE } from './shell-task';
import { effectiveRetry, readRetry, type RetrySource } from './validate-retry';
import { WORKFLOW_LIMITS } from './workflow-limits';
import { DEFAULT_PRIORITY, TRIGGER_RULES, type TaskDefinition } from './workflow-definition';

export const TASK_FIELDS = [
  'name',
  'type',
  'with',
  'dependsOn',
  'when',
  'trigger',
  'forEach',
  'priority',
  'retry',
  'timeout',
  'scheduleToStartTimeout',
  'heartbeatTimeout',
] as const;

export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 5;

/** `spec.defaults`, already read: what every task inherits unless it overrides. */
export interface TaskDefaults {
  retry: RetrySource;
  timeout?: number;
  heartbeatTimeout?: number;
  scheduleToStartTimeout?: number;
  priority?: number;
}

/** A task as read, with where it stands in the document; `named` is false when its name is unusable. */
export interface ReadTask {
  path: string;
  named: boolean;
  /** The name as written, even if invalid, so a dependency on it is not reported twice. */
  writtenName?: string;
  definition: TaskDefinition;
  /** Document path of each entry of `definition.dependsOn` (entries that were dropped shift the indices). */
  dependsOnPaths: string[];
}

/**
 * Reads `spec.tasks` and checks the graph: unique names, known dependencies,
 * no cycle. Returns the tasks (with placeholders where a field was invalid, so
 * later checks can still run) and whether the graph is acyclic.
 */
export function readTasks(
  value: unknown,
  path: string,
  defaults: TaskDefaults,
  issues: IssueList,
): { tasks: ReadTask[]; acyclic: boolean } {
  if (value === undefined || value === null) {
    issues.add(path, 'is required: a workflow has at least one task');
    return { tasks: [], acyclic: false };
  }
  const list = readList(value, path, issues);
  if (!list) return { tasks: [], acyclic: false };
  if (list.length === 0) {
    issues.add(path, 'must list at least one task');
    return { tasks: [], acyclic: false };
  }
  if (list.length > WORKFLOW_LIMITS.maxTasks) {
    issues.add(path, `has ${list.length} tasks, over the limit of ${WORKFLOW_LIMITS.maxTasks}`);
    return { tasks: [], acyclic: false };
  }
  const tasks = list.map((item, i) => readTask(item, indexPath(path, i), defaults, issues));
  checkUniqueNames(tasks, issues);
  checkDependencies(tasks, issues);
  return { tasks, acyclic: checkAcyclic(tasks, issues) };
}

function readTask(value: unknown, path: string, defaults: TaskDefaults, issues: IssueList): ReadTask {
  const mapping = readMapping(value, path, issues, TASK_FIELDS) ?? {};
  const at = (key: string) => keyPath(path, key);
  const optional = (key: string) => field(mapping, key) ?? undefined;

  const nameValue = readRequired(mapping, 'name', path, issues);
  const name = nameValue === undefined ? undefined : readName(nameValue, at('name'), issues);
  const typeValue = readRequired(mapping, 'type', path, issues);
  const type = typeValue === undefined ? undefined : readTaskType(typeValue, at('type'), issues);

  const withValue = optional('with') ?? {};
  const withMapping = readMapping(withValue, at('with'), issues) ?? {};
  if (type === SHELL_TASK_TYPE) checkShellTask(withMapping, at('with'), issues);

  const { names: dependsOn, paths: dependsOnPaths } = readDependsOn(optional('dependsOn'), at('dependsOn'), name, issues);
  const when = readExpressionSource(optional('when'), at('when'), issues);
  const forEach = readExpressionSource(optional('forEach'), at('forEach'), issues);
  const trigger = optional('trigger') === undefined ? 'all_success' : readEnum(optional('trigger'), at('trigger'), issues, TRIGGER_RULES);
  const priority =
    optional('priority') === undefined ? undefined : readInteger(optional('priority'), at('priority'), issues, MIN_PRIORITY, MAX_PRIORITY);
  const duration = (key: string) => (optional(key) === undefined ? undefined : readDuration(optional(key), at(key), issues));
  const timeout = duration('timeout') ?? defaults.timeout;
  const scheduleToStartTimeout = duration('scheduleToStartTimeout') ?? defaults.scheduleToStartTimeout;
  const heartbeatTimeout = duration('heartbeatTimeout') ?? defaults.heartbeatTimeout;
  const taskRetry = optional('retry') === undefined ? {} : readRetry(optional('retry'), at('retry'), issues);
  const retry = effectiveRetry({ policy: taskRetry, path: at('retry') }, defaults.retry, issues);

  const definition: TaskDefinition = {
    name: name ?? '',
    type: type ?? '',
    with: cloneJson(withMapping),
    dependsOn,
    ...(when !== undefined ? { when } : {}),
    trigger: trigger ?? 'all_success',
    ...(forEach !== undefined ? { forEach } : {}),
    priority: priority ?? defaults.priority ?? DEFAULT_PRIORITY,
    retry,
    ...(timeout !== undefined ? { timeout } : {}),
    ...(scheduleToStartTimeout !== undefined ? { scheduleToStartTimeout } : {}),
    ...(heartbeatTimeout !== undefined ? { heartbeatTimeout } : {}),
  };
  return {
    path,
    named: name !== undefined,
    ...(typeof nameValue === 'string' ? { writtenName: nameValue } : {}),
    definition,
    dependsOnPaths,
  };
}

function readDependsOn(value: unknown, path: string, self: string | undefined, issues: IssueList): { names: string[]; paths: string[] } {
  const names: string[] = [];
  const paths: string[] = [];
  if (value === undefined) return { names, paths };
  const list = readList(value, path, issues);
  if (!list) return { names, paths };
  list.forEach((item, i) => {
    const itemPath = indexPath(path, i);
    const name = readString(item, itemPath, issues);
    if (name === undefined) return;
    if (name === self) issues.add(itemPath, `task "${name}" cannot depend on itself`);
    else if (names.includes(name)) issues.add(itemPath, `duplicate dependency "${name}"`);
    else {
      names.push(name);
      paths.push(itemPath);
    }
  });
  return { names, paths };
}

/**
 * `when` and `forEach` are strings. Unquoted `{{ x }}` is a YAML flow mapping,
 * the most common slip, so that case gets its own hint.
 */
function readExpressionSource(value: unknown, path: string, issues: IssueList): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  const hint = typeof value === 'object' && value !== null && !Array.isArray(value) ? ' (quote templates in YAML: "{{ ... }}")' : '';
  issues.add(path, `must be a string, not ${kindOf(value)}${hint}`);
  return undefined;
}

function checkUniqueNames(tasks: readonly ReadTask[], issues: IssueList): void {
  const firstPath = new Map<string, string>();
  for (const task of tasks) {
    if (!task.named) continue;
    const earlier = firstPath.get(task.definition.name);
    if (earlier === undefined) firstPath.set(task.definition.name, keyPath(task.path, 'name'));
    else issues.add(keyPath(task.path, 'name'), `duplicate task name "${task.definition.name}" (also at ${earlier})`);
  }
}

function checkDependencies(tasks: readonly ReadTask[], issues: IssueList): void {
  const names = new Set(tasks.filter((task) => task.named).map((task) => task.definition.name));
  // A dependency on a task whose name is invalid is not unknown: the name is what is reported.
  const written = new Set(tasks.map((task) => task.writtenName));
  for (const task of tasks) {
    task.definition.dependsOn.forEach((dependency, i) => {
      if (written.has(dependency)) return;
      const suggestion = closestName(dependency, names);
      issues.add(task.dependsOnPaths[i]!, `unknown task "${dependency}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
    });
  }
}

function checkAcyclic(tasks: readonly ReadTask[], issues: IssueList): boolean {
  const cycle = findCycle(tasks.filter((task) => task.named).map((task) => task.definition));
  if (!cycle) return true;
  const first = tasks.find((task) => task.named && task.definition.name === cycle[0]);
  issues.add(first ? keyPath(first.path, 'dependsOn') : 'spec.tasks', `dependency cycle ${formatCycle(cycle)}`);
  return false;
}
