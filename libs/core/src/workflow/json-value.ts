import { indexPath, keyPath } from './issue-path';
import type { IssueList } from './issue-list';

const NUL_MESSAGE = 'contains the character U+0000, which PostgreSQL cannot store';

/**
 * Where in a JSON value a string or key holds U+0000, which PostgreSQL's text
 * and jsonb refuse: the API answers 400 with this path rather than fail the
 * insert with a 500. Iterative, for the same reason as checkJsonData.
 */
export function pathOfNulCharacter(value: unknown): string | undefined {
  const pending: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (typeof next.value === 'string') {
      if (next.value.includes('\u0000')) return next.path || '(the body)';
      continue;
    }
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (Array.isArray(next.value)) next.value.forEach((item, i) => pending.push({ value: item, path: indexPath(next.path, i) }));
    else
      for (const [key, item] of Object.entries(next.value)) {
        if (key.includes('\u0000')) return `a key in ${next.path || 'the body'}`;
        pending.push({ value: item, path: keyPath(next.path, key) });
      }
  }
  return undefined;
}

/**
 * Checks that a document is plain JSON data no deeper than `maxDepth`: a JSON
 * body is not depth-limited by JSON.parse, and YAML can produce `.inf` and
 * `.nan`, which JSON (and so the database) cannot hold. Iterative, so a
 * hostile nesting cannot overflow the stack. Returns false when too deep, as
 * later recursive walks must then not run.
 */
export function checkJsonData(document: unknown, issues: IssueList, maxDepth: number): boolean {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value: document, path: '', depth: 0 }];
  while (pending.length > 0) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) issues.add(path, NUL_MESSAGE);
      continue;
    }
    if (value === null || typeof value === 'boolean') continue;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) issues.add(path, `must be a finite number, not ${String(value)}`);
      continue;
    }
    if (Array.isArray(value) || isPlainData(value)) {
      if (depth + 1 > maxDepth) {
        issues.add(path, `nests deeper than ${maxDepth} levels`);
        return false;
      }
      if (Array.isArray(value)) value.forEach((item, i) => pending.push({ value: item, path: indexPath(path, i), depth: depth + 1 }));
      else
        for (const [key, item] of Object.entries(value)) {
          // Not descended into: its path would carry the character into every message below it.
          if (key.includes('\u0000')) issues.add(path, `a key ${NUL_MESSAGE}`);
          else if (item !== undefined) pending.push({ value: item, path: keyPath(path, key), depth: depth + 1 });
        }
      continue;
    }
    issues.add(
      path,
      `unsupported value of type ${typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value} (not JSON data)`,
    );
  }
  return true;
}

function isPlainData(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * A deep copy of checked JSON data. YAML aliases make shared subtrees; the
 * copy gives every place its own. `fromEntries` defines own properties, so a
 * `__proto__` key stays a key.
 */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => cloneJson(item)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => item !== undefined)
        .map(([key, item]) => [key, cloneJson(item)]),
    ) as T;
  }
  return value;
}
