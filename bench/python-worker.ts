import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'bench', 'python-noop-worker.py');

/** The bench's Python worker: the SDK from sdks/python, serving one type whose handler returns its input. */
export class PythonWorker {
  private output = '';

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => this.keep(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.keep(chunk));
  }

  static async start(options: { server: string; token: string; type: string; concurrency: number }): Promise<PythonWorker> {
    const child = spawn(process.env.BENCH_PYTHON ?? 'python3', [SCRIPT], {
      env: {
        ...process.env,
        PYTHONPATH: join(ROOT, 'sdks', 'python', 'src'),
        FLOWCTL_SERVER: options.server,
        FLOWCTL_TOKEN: options.token,
        BENCH_TASK_TYPE: options.type,
        BENCH_CONCURRENCY: String(options.concurrency),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new PythonWorker(child);
    // It says so once it serves; its first poll registers it, so tasks queued from then on are its.
    await new Promise<void>((resolve, reject) => {
      const onData = () => {
        if (worker.output.includes('serving')) {
          child.stderr?.off('data', onData);
          resolve();
        }
      };
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`the Python worker exited (${code}) before serving:\n${worker.output}`)));
    });
    return worker;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private keep(chunk: Buffer): void {
    this.output = (this.output + chunk.toString('utf8')).slice(-20_000);
    if (process.env.BENCH_VERBOSE) process.stderr.write(chunk);
  }
}
