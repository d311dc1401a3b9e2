/**
 * Issue paths read like the document: `spec.tasks[2].dependsOn[0]`,
 * `spec.tasks[0].with["Content-Type"]` for keys that are not plain words.
 * The same spelling is produced by the YAML line map, so paths are its keys.
 */
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

export function keyPath(path: string, key: string): string {
  if (PLAIN_KEY.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

export const indexPath = (path: string, index: number): string => `${path}[${index}]`;

/** The path one level up, or undefined at the root. */
export function parentPath(path: string): string | undefined {
  if (path === '') return undefined;
  if (path.endsWith('"]')) return path.slice(0, path.lastIndexOf('["'));
  if (path.endsWith(']')) return path.slice(0, path.lastIndexOf('['));
  const dot = path.lastIndexOf('.');
  const bracket = path.lastIndexOf(']');
  if (dot > bracket) return path.slice(0, dot);
  return bracket === -1 ? '' : path.slice(0, bracket + 1);
}
