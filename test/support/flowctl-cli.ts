import { spawn } from 'node:child_process';
import { CLI_MAIN } from './flowctl-stack';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `flowctl` as a real process, as a user would, and collects its
 * output. The process is killed if it outlives `timeoutMs`, and the test fails.
 */
export function runFlowctl(
  args: string[],
  options: { stdin?: string; env?: Record<string, string | undefined>; timeoutMs?: number; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // The server comes from --server in these tests, never from the developer's environment.
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...process.env, FLOWCTL_SERVER: undefined, ...options.env }))
      if (value !== undefined) env[key] = value;
    const child = spawn(process.execPath, [CLI_MAIN, ...args], { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timeoutMs = options.timeoutMs ?? 20_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`flowctl ${args.join(' ')} did not exit within ${timeoutMs}ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
