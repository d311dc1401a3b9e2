import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a Node script as a child with its output prefixed by a name, and
 * stops it the polite way (SIGTERM) before the hard way (SIGKILL).
 */
export function startNodeProcess(
  name: string,
  script: string,
  env: Record<string, string | undefined>,
  output: { write(text: string): unknown } | undefined,
  args: string[] = [],
): ManagedProcess {
  // The IPC channel is the child's lifeline: when this process dies, however it dies, the
  // channel closes and the child shuts itself down (see exitWithParent) instead of lingering.
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  prefixOutput(child, name, output);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return managed(name, child, exited, (signal) => child.kill(signal));
}

/** Stops the polite way (SIGTERM), then the hard way (SIGKILL) after `graceMs`. */
function managed(
  name: string,
  child: ChildProcess,
  exited: Promise<number | null>,
  signal: (signal: NodeJS.Signals) => void,
): ManagedProcess {
  return {
    name,
    child,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Each line the child prints, on `output` as `[name] line`. Lines are cut where the child ends
 * them, not where a pipe read happens to end, so a long line is never prefixed twice.
 */
function prefixOutput(child: ChildProcess, name: string, output: { write(text: string): unknown } | undefined): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      if (line.length > 0) output?.write(`[${name}] ${line}\n`);
    });
  }
}

/**
 * Starts a shell command (a user's worker: `python3 worker.py`, `npm run worker`) in its own
 * process group, so stopping it reaches what the shell started too (npm, then node). A group has
 * no lifeline like the IPC channel of startNodeProcess: it is killed when this process exits.
 */
export function startShellCommand(
  name: string,
  command: string,
  options: { env: Record<string, string | undefined>; cwd: string; output: { write(text: string): unknown } | undefined },
): ManagedProcess {
  const child = spawn(command, {
    shell: true,
    detached: true,
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixOutput(child, name, options.output);
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // the group is gone already
    }
  };
  const killOnExit = () => signalGroup('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      // The shell may be gone while what it started is not: end the rest of its group too.
      signalGroup('SIGTERM');
      process.removeListener('exit', killOnExit);
      resolve(code);
    });
    // A command that cannot start at all (no such folder) is an exit, not a crash of `flowctl dev`.
    child.once('error', (error) => {
      options.output?.write(`[${name}] ${error.message}\n`);
      process.removeListener('exit', killOnExit);
      resolve(null);
    });
  });
  return managed(name, child, exited, signalGroup);
}

/** Polls a URL until it answers 2xx; for start-up only, where no notification exists. */
export async function waitForHttp(url: string, timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`process exited before ${url} answered`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
      lastError = `status ${response.status}`;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs}ms (${lastError})`);
}
