import { spawn } from 'node:child_process';
import { defineHandler, NonRetryableError } from '@flowctl/worker-sdk';
import { OutputLines } from './output-lines';

const MAX_CAPTURE = 64 * 1024;

interface ShellInput {
  command?: unknown;
  env?: unknown;
  cwd?: unknown;
}

/** Keeps the last bytes: the end of a log is where the error usually is. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > MAX_CAPTURE && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
      this.truncated = true;
    }
  }
  /** Without NUL characters: the output is stored as jsonb, which cannot hold \u0000 (the run would never finish). */
  toString(): string {
    const text = Buffer.concat(this.chunks).toString('utf8').replaceAll('\u0000', '');
    return text.length > MAX_CAPTURE ? text.slice(-MAX_CAPTURE) : text;
  }
}

/**
 * Runs `/bin/sh -c command`. Only served when the worker enables it. The
 * command sees `with.env` and a few harmless variables of the worker, never
 * its credentials. The process group is killed on cancel or timeout so no
 * grandchild outlives it.
 */
export const shellHandler = (inheritedEnvironment: Readonly<Record<string, string>>) =>
  defineHandler<ShellInput, { exitCode: number; stdout: string; stderr: string }>((input, ctx) => {
    if (typeof input?.command !== 'string' || input.command.length === 0)
      throw new NonRetryableError('shell: `command` must be a non-empty string');
    const env = input.env ?? {};
    if (typeof env !== 'object' || Array.isArray(env)) throw new NonRetryableError('shell: `env` must be a map of strings');
    const command = input.command;
    const values = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    if (Object.entries(values).some(([name, value]) => name.includes('=') || name.includes('\0') || value.includes('\0')))
      throw new NonRetryableError('shell: `env` names cannot contain "=", and no name or value a NUL character');
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', command], {
        cwd: typeof input.cwd === 'string' ? input.cwd : undefined,
        env: { ...inheritedEnvironment, ...values, FLOWCTL_RUN_ID: ctx.runId, FLOWCTL_ATTEMPT: String(ctx.attempt) },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const stdout = new TailBuffer();
      const stderr = new TailBuffer();
      // Each line goes to the attempt's log as it comes, tagged with its stream; the tails are the output.
      // When the worker holds too many unsent lines, the pipes are paused until they go out: a command
      // printing faster than logs ship blocks on its own writes (its memory and the worker's stay
      // bounded) instead of having lines dropped, and the worker's other tasks keep their pace.
      let full = false;
      const stdoutLines = new OutputLines((line) => (full = !ctx.processOutput('stdout', line) || full));
      const stderrLines = new OutputLines((line) => (full = !ctx.processOutput('stderr', line) || full));
      const relieve = () => {
        if (!full) return;
        full = false;
        child.stdout.pause();
        child.stderr.pause();
        void ctx.logDrained().then(() => {
          child.stdout.resume();
          child.stderr.resume();
        });
      };
      child.stdout.on('data', (chunk: Buffer) => {
        stdout.push(chunk);
        stdoutLines.push(chunk);
        relieve();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr.push(chunk);
        stderrLines.push(chunk);
        relieve();
      });
      const kill = () => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      ctx.signal.addEventListener('abort', kill, { once: true });
      child.on('error', (error) => reject(error));
      child.on('close', (code, signal) => {
        ctx.signal.removeEventListener('abort', kill);
        stdoutLines.end();
        stderrLines.end();
        const output = { exitCode: code ?? (signal ? 128 : 1), stdout: stdout.toString(), stderr: stderr.toString() };
        if (output.exitCode === 0) return resolve(output);
        const error = Object.assign(
          new Error(
            `command exited with code ${output.exitCode}${signal ? ` (${signal})` : ''}: ${output.stderr.trim().split('\n').pop() ?? ''}`,
          ),
          {
            name: 'ShellCommandFailed',
            details: output,
          },
        );
        reject(error);
      });
    });
  });
