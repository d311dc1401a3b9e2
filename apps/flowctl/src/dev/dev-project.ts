import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { load } from 'js-yaml';
import { InvalidInput } from '../errors';

/** A user's worker that `flowctl dev` starts: a shell command, its output prefixed with `name`. */
export interface WorkerCommand {
  name: string;
  command: string;
}

/** The file `flowctl init` writes and `flowctl dev` reads in the current folder. */
export const PROJECT_FILE = 'flowctl.yaml';

/**
 * A short name for a command's output prefix: its last word that is not an option, without
 * folder and extension (`python3 worker.py` -> `worker`, `node dist/greet.js` -> `greet`,
 * `npm run --silent worker` -> `worker`); numbered when taken.
 */
export function workerName(command: string, taken: ReadonlySet<string>): string {
  const last = [...command.trim().split(/\s+/)].reverse().find((word) => !word.startsWith('-')) ?? '';
  const base =
    basename(last, extname(last))
      .replace(/[^\w.-]/g, '')
      .slice(0, 24) || 'worker';
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  return name;
}

/** The prefixes of flowctl's own processes, which a user's worker does not take. */
const OWN_NAMES = ['scheduler', 'worker'];

/** `--worker` commands, named. */
export function namedWorkers(commands: readonly string[]): WorkerCommand[] {
  const taken = new Set<string>(OWN_NAMES);
  return commands.map((command) => {
    const name = workerName(command, taken);
    taken.add(name);
    return { name, command };
  });
}

/** `workers:` of ./flowctl.yaml (`[{name?, command}]` or plain command strings); none without the file. */
export function projectWorkers(dir: string): WorkerCommand[] {
  const path = join(dir, PROJECT_FILE);
  if (!existsSync(path)) return [];
  let document: unknown;
  try {
    document = load(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InvalidInput(`${PROJECT_FILE}: ${(error as Error).message}`);
  }
  const workers = (document as { workers?: unknown } | null | undefined)?.workers ?? [];
  if (!Array.isArray(workers)) throw new InvalidInput(`${PROJECT_FILE}: workers must be a list`);
  const taken = new Set<string>(OWN_NAMES);
  return workers.map((entry: unknown, index) => {
    const command = typeof entry === 'string' ? entry : (entry as { command?: unknown } | null)?.command;
    const given = typeof entry === 'object' && entry !== null ? (entry as { name?: unknown }).name : undefined;
    if (typeof command !== 'string' || command.trim() === '')
      throw new InvalidInput(`${PROJECT_FILE}: workers[${index}] needs a command (a string, or {name, command})`);
    if (given !== undefined && (typeof given !== 'string' || !/^[\w.-]{1,32}$/.test(given)))
      throw new InvalidInput(`${PROJECT_FILE}: workers[${index}].name must be a short word (letters, digits, . _ -)`);
    const name = (given as string | undefined) ?? workerName(command, taken);
    if (taken.has(name)) throw new InvalidInput(`${PROJECT_FILE}: the name ${name} is taken (by another worker or flowctl's own)`);
    taken.add(name);
    return { name, command };
  });
}
