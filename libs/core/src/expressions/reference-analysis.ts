import { childrenOf, type ExpressionNode } from './ast';
import { expressionError } from './expression-error';
import { isForbiddenProperty } from './forbidden-properties';
import { noReferences, type References } from './references';

type Accessor = { key: string | number; start: number } | { index: ExpressionNode; start: number };

const TASK_FIELDS = new Set(['output', 'status']);

/**
 * Collects what an expression reads and rejects what it may never read:
 * `tasks` other than `tasks.NAME.output...` / `tasks.NAME.status`, and
 * prototype-related property names.
 */
export function analyzeReferences(root: ExpressionNode, source: string): References {
  const references = noReferences();
  const pending: ExpressionNode[] = [root];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (node.type !== 'member' && node.type !== 'index' && node.type !== 'root') {
      pending.push(...childrenOf(node));
      continue;
    }
    const { base, accessors } = flattenChain(node);
    for (const accessor of accessors) {
      if ('index' in accessor) pending.push(accessor.index);
      else if (isForbiddenProperty(accessor.key))
        throw expressionError(`property "${accessor.key}" is not accessible`, source, accessor.start);
    }
    if (base.type !== 'root') {
      pending.push(base);
      continue;
    }
    switch (base.name) {
      case 'tasks':
        references.tasks.add(taskName(accessors, base.start, source));
        break;
      case 'inputs': {
        const first = accessors[0];
        if (first && 'key' in first && typeof first.key === 'string') references.inputs.add(first.key);
        break;
      }
      case 'item':
      case 'index':
        references.usesItem = true;
        break;
      case 'event':
        references.usesEvent = true;
        break;
      case 'secrets':
        references.secrets.add(secretName(node, root, accessors, base.start, source));
        break;
    }
  }
  return references;
}

function flattenChain(node: ExpressionNode): { base: ExpressionNode; accessors: Accessor[] } {
  const accessors: Accessor[] = [];
  let current = node;
  while (current.type === 'member' || current.type === 'index') {
    accessors.push(current.type === 'member' ? { key: current.key, start: current.start } : { index: current.index, start: current.start });
    current = current.object;
  }
  return { base: current, accessors: accessors.reverse() };
}

function taskName(accessors: Accessor[], start: number, source: string): string {
  const [name, field] = accessors;
  if (!name || !('key' in name) || typeof name.key !== 'string') {
    throw expressionError('expected a task name after "tasks" (e.g. tasks.extract.output)', source, name?.start ?? start);
  }
  if (!field || !('key' in field) || typeof field.key !== 'string' || !TASK_FIELDS.has(field.key)) {
    throw expressionError(`expected .output or .status after "tasks.${name.key}"`, source, field?.start ?? name.start);
  }
  return name.key;
}

/**
 * A secret is only ever pasted whole into a `with` value: `{{ secrets.NAME }}`
 * alone between the braces. Anything that computes with it (a comparison, an
 * index, a `when`) would need the value in the scheduler, which never has it.
 */
function secretName(node: ExpressionNode, root: ExpressionNode, accessors: Accessor[], start: number, source: string): string {
  const [name] = accessors;
  if (!name || !('key' in name) || typeof name.key !== 'string')
    throw expressionError('expected a secret name after "secrets" (e.g. secrets.API_TOKEN)', source, name?.start ?? start);
  if (accessors.length !== 1 || node !== root)
    throw expressionError(`a secret can only be used alone, as {{ secrets.${name.key} }}`, source, start);
  return name.key;
}
