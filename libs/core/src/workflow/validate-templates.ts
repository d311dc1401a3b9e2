import { ancestryOf, type Ancestry } from '../dag/ancestors';
import { closestName } from '../dag/closest-name';
import { ExpressionError } from '../expressions/expression-error';
import { expressionReferences } from '../expressions/condition';
import type { References } from '../expressions/references';
import { compileTemplate } from '../expressions/template';
import { runsWithoutWorker } from '../run/task-kinds';
import { indexPath, keyPath } from './issue-path';
import type { IssueList } from './issue-list';
import type { ReadTask } from './validate-tasks';

type Place = 'with' | 'when' | 'forEach';

/** Secret names are read as `secrets.NAME` and set as `flowctl secret set NAME`, so they are identifiers. */
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * Every string in `with`, `when` and `forEach` must compile, and may read only
 * what will exist when the task starts: declared inputs, and outputs of tasks
 * upstream of it (anything else has not run yet, or may run concurrently).
 * Upstream is only checked on an acyclic graph.
 */
export function checkTemplates(tasks: readonly ReadTask[], inputNames: ReadonlySet<string>, acyclic: boolean, issues: IssueList): void {
  const named = tasks.filter((task) => task.named);
  const taskNames = new Set(named.map((task) => task.definition.name));
  const ancestry = acyclic ? ancestryOf(named.map((task) => task.definition)) : undefined;
  const context = { taskNames, inputNames, ancestry, issues };
  for (const task of tasks) {
    const { definition } = task;
    forEachString(definition.with, keyPath(task.path, 'with'), (text, path) => {
      const references = compile(() => compileTemplate(text).references, path, issues);
      if (references) checkReferences(references, task, path, 'with', context);
    });
    for (const place of ['when', 'forEach'] as const) {
      const source = definition[place];
      if (source === undefined) continue;
      const path = keyPath(task.path, place);
      const references = compile(() => expressionReferences(source), path, issues);
      if (references) checkReferences(references, task, path, place, context);
    }
  }
}

interface Context {
  taskNames: ReadonlySet<string>;
  inputNames: ReadonlySet<string>;
  ancestry: Ancestry | undefined;
  issues: IssueList;
}

function checkReferences(references: References, task: ReadTask, path: string, place: Place, context: Context): void {
  const { issues } = context;
  const name = task.definition.name;
  for (const referenced of references.tasks) {
    if (!context.taskNames.has(referenced)) {
      const suggestion = closestName(referenced, context.taskNames);
      issues.add(path, `unknown task "${referenced}" in tasks.${referenced}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
    } else if (task.named && context.ancestry && !context.ancestry.isUpstream(referenced, name)) {
      issues.add(path, `task "${name}" references tasks.${referenced}, which is not upstream of it`);
    }
  }
  for (const input of references.inputs) {
    if (context.inputNames.has(input)) continue;
    const suggestion = closestName(input, context.inputNames);
    issues.add(path, `unknown input "${input}"${suggestion ? ` (did you mean "${suggestion}"?)` : ' (declare it in spec.inputs)'}`);
  }
  if (references.usesItem) {
    if (place === 'forEach') issues.add(path, 'forEach cannot use item or index: it is what produces them');
    else if (place === 'when') issues.add(path, 'when cannot use item or index: it decides once for all the instances of the task');
    else if (task.definition.forEach === undefined) issues.add(path, 'item and index are only available in a task with forEach');
  }
  if (references.usesEvent)
    issues.add(path, "event is only readable in spec.on (a trigger's filter and inputs): map what tasks need to an input there");
  // Only the syntax is checked here: whether the secret exists is known when the task runs, in its namespace.
  for (const secret of references.secrets) {
    if (!SECRET_NAME_PATTERN.test(secret))
      issues.add(path, `invalid secret name "${secret}": use letters, digits and "_", not starting with a digit, at most 128 characters`);
  }
  if (references.secrets.size > 0) {
    if (place !== 'with') issues.add(path, `${place} cannot read secrets: only a task's with can (the scheduler never sees their values)`);
    else if (runsWithoutWorker(task.definition.type))
      issues.add(path, `a ${task.definition.type} task cannot read secrets: only tasks that run on a worker can`);
  }
}

function compile(read: () => References, path: string, issues: IssueList): References | undefined {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    issues.add(path, error.message);
    return undefined;
  }
}

function forEachString(value: unknown, path: string, visit: (text: string, path: string) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, i) => forEachString(item, indexPath(path, i), visit));
  else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) forEachString(item, keyPath(path, key), visit);
}
