import { Readable, Writable } from 'node:stream';
import type { CliIo } from '../cli-io';
import { runCli } from '../cli';

export interface CapturedIo extends CliIo {
  stdoutText(): string;
  stderrText(): string;
}

export function captureIo(options: { env?: Record<string, string | undefined>; stdin?: string } = {}): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]): Writable =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        into.push(chunk.toString());
        done();
      },
    });
  return {
    stdout: sink(out),
    stderr: sink(err),
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    env: options.env ?? {},
    stdoutText: () => out.join(''),
    stderrText: () => err.join(''),
  };
}

/** Runs `flowctl ARGS...` in-process against `server`, capturing what it prints. */
export async function flowctl(
  args: string[],
  options: { server?: string; stdin?: string; env?: Record<string, string | undefined> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo({ stdin: options.stdin, env: { ...(options.server ? { FLOWCTL_SERVER: options.server } : {}), ...options.env } });
  const code = await runCli(['node', 'flowctl', ...args], io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}
