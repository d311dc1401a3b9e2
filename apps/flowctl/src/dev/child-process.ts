import { spawn, type ChildProcess } from 'node:child_process';

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
  const prefix = (chunk: Buffer) =>
    chunk
      .toString('utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => `[${name}] ${line}\n`)
      .join('');
  child.stdout?.on('data', (chunk: Buffer) => output?.write(prefix(chunk)));
  child.stderr?.on('data', (chunk: Buffer) => output?.write(prefix(chunk)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name,
    child,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
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
