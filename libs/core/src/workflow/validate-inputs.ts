import { describeValue, field, readEnum, readMapping, readRequired, readString } from './document-fields';
import { keyPath } from './issue-path';
import type { IssueList } from './issue-list';
import { checkInputName } from './names';
import { INPUT_TYPES, type InputDefinition, type InputType } from './workflow-definition';

export const INPUT_FIELDS = ['type', 'default', 'description'] as const;

/** `spec.inputs`: `{ NAME: { type, default?, description? } }`; an input without a default is required. */
export function readInputs(value: unknown, path: string, issues: IssueList): Record<string, InputDefinition> {
  if (value === undefined || value === null) return {};
  const mapping = readMapping(value, path, issues);
  if (!mapping) return {};
  const inputs: Array<[string, InputDefinition]> = [];
  for (const [name, entry] of Object.entries(mapping)) {
    const entryPath = keyPath(path, name);
    if (!checkInputName(name, entryPath, issues)) continue;
    const input = readInput(entry, entryPath, issues);
    if (input) inputs.push([name, input]);
  }
  return Object.fromEntries(inputs);
}

function readInput(value: unknown, path: string, issues: IssueList): InputDefinition | undefined {
  const mapping = readMapping(value, path, issues, INPUT_FIELDS);
  if (!mapping) return undefined;
  const typeValue = readRequired(mapping, 'type', path, issues);
  const type = typeValue === undefined ? undefined : readEnum(typeValue, keyPath(path, 'type'), issues, INPUT_TYPES);
  const description = field(mapping, 'description');
  if (description !== undefined) readString(description, keyPath(path, 'description'), issues);
  const hasDefault = field(mapping, 'default') !== undefined;
  const defaultValue = field(mapping, 'default');
  if (type && hasDefault && !matchesInputType(defaultValue, type)) {
    issues.add(keyPath(path, 'default'), `default ${describeValue(defaultValue)} is not of type ${type}`);
  }
  if (!type) return undefined;
  return {
    type,
    ...(hasDefault ? { default: defaultValue } : {}),
    required: !hasDefault,
    ...(typeof description === 'string' ? { description } : {}),
  };
}

/** Also what a run's supplied inputs are checked with, so defaults and run inputs obey one rule. */
export function matchesInputType(value: unknown, type: InputType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
