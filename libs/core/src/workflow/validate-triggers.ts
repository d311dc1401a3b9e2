import { closestName } from '../dag/closest-name';
import { compileTemplate } from '../expressions/template';
import { expressionReferences } from '../expressions/condition';
import { ExpressionError } from '../expressions/expression-error';
import type { References } from '../expressions/references';
import { describeValue, field, readEnum, readList, readMapping, readRequired, readString } from './document-fields';
import { indexPath, keyPath } from './issue-path';
import type { IssueList } from './issue-list';
import { readName } from './names';
import { matchesInputType } from './validate-inputs';
import { SECRET_NAME_PATTERN } from './validate-templates';
import {
  HOOK_SIGNATURES,
  RUN_END_STATUSES,
  type InputDefinition,
  type RunEndStatus,
  type TriggerDefinition,
  type TriggerSource,
} from './workflow-definition';

export const TRIGGER_FIELDS = ['event', 'hook', 'workflowRun', 'filter', 'inputs'] as const;
export const HOOK_FIELDS = ['name', 'secret', 'signature'] as const;
export const WORKFLOW_RUN_FIELDS = ['name', 'status'] as const;
const SOURCES = ['event', 'hook', 'workflowRun'] as const;

/** A workflow listens to a handful of sources; more is a generated document gone wrong. */
export const MAX_TRIGGERS = 20;
/** Event names: what `flowctl emit NAME` sends; dots, slashes and colons allow `order.created` or `github/push`. */
export const EVENT_NAME_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9._:/-]{0,126}[A-Za-z0-9])?$/;

/**
 * `spec.on`: each trigger names one source and may filter its events and map
 * them to the run's inputs. Templates read only `event`; every input the run
 * needs without a default must be mapped, so a matching event never starts a
 * run that is refused for a missing input the author could have seen at apply.
 */
export function readTriggers(
  value: unknown,
  path: string,
  inputs: Record<string, InputDefinition>,
  issues: IssueList,
): TriggerDefinition[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = readList(value, path, issues);
  if (!list) return undefined;
  if (list.length > MAX_TRIGGERS) issues.add(path, `at most ${MAX_TRIGGERS} triggers, not ${list.length}`);
  return list.slice(0, MAX_TRIGGERS).flatMap((item, i) => {
    const trigger = readTrigger(item, indexPath(path, i), inputs, issues);
    return trigger ? [trigger] : [];
  });
}

function readTrigger(
  value: unknown,
  path: string,
  inputs: Record<string, InputDefinition>,
  issues: IssueList,
): TriggerDefinition | undefined {
  const mapping = readMapping(value, path, issues, TRIGGER_FIELDS);
  if (!mapping) return undefined;
  const named = SOURCES.filter((source) => field(mapping, source) !== undefined);
  if (named.length !== 1) {
    issues.add(path, `a trigger names exactly one of event, hook or workflowRun${named.length ? `, not ${named.join(' and ')}` : ''}`);
    return undefined;
  }
  const source = readSource(named[0]!, field(mapping, named[0]!), keyPath(path, named[0]!), issues);
  const filterValue = field(mapping, 'filter');
  const filter = filterValue === undefined ? undefined : readString(filterValue, keyPath(path, 'filter'), issues);
  if (filter !== undefined) checkEventOnly(() => expressionReferences(filter), keyPath(path, 'filter'), issues);
  const mapped = readInputMapping(field(mapping, 'inputs'), keyPath(path, 'inputs'), inputs, issues);
  if (!source || !mapped) return undefined;
  return { ...source, ...(filter !== undefined ? { filter } : {}), inputs: mapped };
}

function readSource(kind: (typeof SOURCES)[number], value: unknown, path: string, issues: IssueList): TriggerSource | undefined {
  switch (kind) {
    case 'event': {
      const name = readString(value, path, issues);
      if (name === undefined) return undefined;
      if (EVENT_NAME_PATTERN.test(name)) return { event: name };
      issues.add(
        path,
        `invalid event name ${describeValue(name)}: use letters, digits, ".", "_", "-", ":" and "/", starting and ending with a letter or digit, at most 128 characters`,
      );
      return undefined;
    }
    case 'hook': {
      const mapping = readMapping(value, path, issues, HOOK_FIELDS);
      if (!mapping) return undefined;
      const nameValue = readRequired(mapping, 'name', path, issues);
      const name = nameValue === undefined ? undefined : readName(nameValue, keyPath(path, 'name'), issues);
      const secretValue = readRequired(mapping, 'secret', path, issues);
      const secret = secretValue === undefined ? undefined : readString(secretValue, keyPath(path, 'secret'), issues);
      if (secret !== undefined && !SECRET_NAME_PATTERN.test(secret))
        issues.add(
          keyPath(path, 'secret'),
          `invalid secret name ${describeValue(secret)}: the name of a flowctl secret, such as GITHUB_HOOK`,
        );
      const signatureValue = readRequired(mapping, 'signature', path, issues);
      const signature =
        signatureValue === undefined ? undefined : readEnum(signatureValue, keyPath(path, 'signature'), issues, HOOK_SIGNATURES);
      if (name === undefined || secret === undefined || !SECRET_NAME_PATTERN.test(secret) || !signature) return undefined;
      return { hook: { name, secret, signature } };
    }
    case 'workflowRun': {
      const mapping = readMapping(value, path, issues, WORKFLOW_RUN_FIELDS);
      if (!mapping) return undefined;
      const nameValue = readRequired(mapping, 'name', path, issues);
      const name = nameValue === undefined ? undefined : readName(nameValue, keyPath(path, 'name'), issues);
      const status = readStatuses(field(mapping, 'status'), keyPath(path, 'status'), issues);
      if (name === undefined || !status) return undefined;
      return { workflowRun: { name, status } };
    }
  }
}

function readStatuses(value: unknown, path: string, issues: IssueList): RunEndStatus[] | undefined {
  if (value === undefined || value === null) return ['succeeded'];
  const list = readList(value, path, issues);
  if (!list) return undefined;
  if (list.length === 0) {
    issues.add(path, `must list at least one of ${RUN_END_STATUSES.join(', ')}`);
    return undefined;
  }
  const statuses = list.map((item, i) => readEnum(item, indexPath(path, i), issues, RUN_END_STATUSES));
  return statuses.every((status) => status !== undefined) ? [...new Set(statuses)] : undefined;
}

function readInputMapping(
  value: unknown,
  path: string,
  declared: Record<string, InputDefinition>,
  issues: IssueList,
): Record<string, unknown> | undefined {
  const mapping = value === undefined || value === null ? {} : readMapping(value, path, issues);
  if (!mapping) return undefined;
  const names = Object.keys(declared);
  for (const [name, item] of Object.entries(mapping)) {
    const itemPath = keyPath(path, name);
    const definition = Object.hasOwn(declared, name) ? declared[name] : undefined;
    if (!definition) {
      const suggestion = closestName(name, names);
      issues.add(itemPath, `unknown input "${name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ' (declare it in spec.inputs)'}`);
      continue;
    }
    if (typeof item === 'string' && item.includes('{{')) {
      checkEventOnly(() => compileTemplate(item).references, itemPath, issues);
    } else if (!matchesInputType(item, definition.type)) {
      issues.add(itemPath, `${describeValue(item)} is not of type ${definition.type}`);
    }
  }
  for (const [name, definition] of Object.entries(declared)) {
    if (definition.required && !Object.hasOwn(mapping, name))
      issues.add(path, `input "${name}" is required (it has no default): map it from the event, e.g. ${name}: "{{ event.data.${name} }}"`);
  }
  return mapping;
}

/** A trigger runs before the run exists: only the event is there to read. */
function checkEventOnly(read: () => References, path: string, issues: IssueList): void {
  let references: References;
  try {
    references = read();
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    issues.add(path, error.message);
    return;
  }
  const other = [
    references.tasks.size > 0 && 'tasks',
    references.inputs.size > 0 && 'inputs',
    references.secrets.size > 0 && 'secrets',
    references.usesItem && 'item or index',
  ].filter((name): name is string => typeof name === 'string');
  if (other.length > 0) issues.add(path, `a trigger can only read event (event.name, event.id, event.data), not ${other.join(', ')}`);
}
