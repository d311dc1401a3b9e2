import { indexPath, keyPath } from './issue-path';
import type { IssueList } from './issue-list';

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
    if (value === null || typeof value === 'string' || typeof value === 'boolean') continue;
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
        for (const [key, item] of Object.entries(value))
          if (item !== undefined) pending.push({ value: item, path: keyPath(path, key), depth: depth + 1 });
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
