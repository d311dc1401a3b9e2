import { closestName } from '../dag/closest-name';
import { keyPath } from './issue-path';
import type { IssueList } from './issue-list';
import { parseDuration } from './duration';

/**
 * Typed reads of one field of the document. Each records an issue at the
 * field's path and returns undefined when the value is unusable, so the
 * validator can go on and report the next problem too.
 */

export type Mapping = Record<string, unknown>;

export const isMapping = (value: unknown): value is Mapping => typeof value === 'object' && value !== null && !Array.isArray(value);

export const describeValue = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value));

/** A mapping whose keys are all in `fields` (when given); each other key is reported with a "did you mean". */
export function readMapping(value: unknown, path: string, issues: IssueList, fields?: readonly string[]): Mapping | undefined {
  if (!isMapping(value)) {
    issues.add(path, `must be a mapping, not ${kindOf(value)}`);
    return undefined;
  }
  if (!fields) return value;
  for (const key of Object.keys(value)) {
    if (fields.includes(key)) continue;
    const suggestion = closestName(key, fields);
    issues.add(
      keyPath(path, key),
      `unknown field "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ` (allowed: ${fields.join(', ')})`}`,
    );
  }
  return value;
}

export function field(mapping: Mapping, key: string): unknown {
  return Object.hasOwn(mapping, key) ? mapping[key] : undefined;
}

export function readRequired(mapping: Mapping, key: string, path: string, issues: IssueList): unknown {
  const value = field(mapping, key);
  if (value === undefined || value === null) issues.add(keyPath(path, key), 'is required');
  return value ?? undefined;
}

export function readString(value: unknown, path: string, issues: IssueList): string | undefined {
  if (typeof value === 'string') return value;
  issues.add(path, `must be a string, not ${kindOf(value)}`);
  return undefined;
}

export function readInteger(
  value: unknown,
  path: string,
  issues: IssueList,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
  issues.add(path, `must be an integer ${range}, not ${describeValue(value)}`);
  return undefined;
}

export function readEnum<T extends string>(value: unknown, path: string, issues: IssueList, allowed: readonly T[]): T | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  const suggestion = typeof value === 'string' ? closestName(value, allowed) : undefined;
  issues.add(
    path,
    `must be one of ${allowed.join(', ')}, not ${describeValue(value)}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
  );
  return undefined;
}

export function readList(value: unknown, path: string, issues: IssueList): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  issues.add(path, `must be a list, not ${kindOf(value)}`);
  return undefined;
}

/** The longest duration accepted: longer is a typo, and keeps every sum of durations far from float trouble. */
export const MAX_DURATION_MS = 365 * 86_400_000;

export function readDuration(value: unknown, path: string, issues: IssueList): number | undefined {
  const ms = parseDuration(value);
  if (ms === undefined) {
    issues.add(path, `invalid duration ${describeValue(value)} (use 500ms, 10s, 5m, 1h, 1d or milliseconds)`);
    return undefined;
  }
  if (ms <= 0 || ms > MAX_DURATION_MS) {
    issues.add(path, `duration ${describeValue(value)} must be more than 0 and at most 365d`);
    return undefined;
  }
  return ms;
}

export function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  return `a ${typeof value} (${String(value)})`;
}
