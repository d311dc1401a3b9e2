/**
 * Compose's variable interpolation, as the Compose Specification defines it, for the
 * forms docker-compose.yml uses: `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}` and `$$` for a literal `$`. Applied to the parsed
 * file's string values, as Compose does.
 */
export class MissingComposeVariable extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`required variable ${variable} is missing a value: ${message}`);
  }
}

const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

function interpolateString(text: string, env: Record<string, string | undefined>): string {
  return text.replace(REFERENCE, (whole, braced?: string, colon?: string, operator?: string, argument?: string, bare?: string) => {
    if (whole === '$$') return '$';
    const name = (braced ?? bare)!;
    const value = env[name];
    // With the colon, an empty value counts as unset.
    const unset = value === undefined || (colon === ':' && value === '');
    if (operator === '-') return unset ? argument! : value!;
    if (operator === '?') {
      if (unset) throw new MissingComposeVariable(name, argument!);
      return value!;
    }
    return value ?? '';
  });
}

export function interpolateCompose<T>(node: T, env: Record<string, string | undefined>): T {
  if (typeof node === 'string') return interpolateString(node, env) as T;
  if (Array.isArray(node)) return node.map((item: unknown) => interpolateCompose(item, env)) as T;
  if (node && typeof node === 'object')
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, interpolateCompose(value, env)])) as T;
  return node;
}

/** A `.env` file as Compose reads it: KEY=VALUE lines, # comments, optional quotes. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    env[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}
