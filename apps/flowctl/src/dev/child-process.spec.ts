import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNodeProcess, startShellCommand } from './child-process';

describe('child processes of flowctl dev', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'flowctl-child-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prefixes each line once, even when the child writes it in pieces', async () => {
    const script = join(dir, 'pieces.js');
    writeFileSync(
      script,
      `process.stdout.write('hal'); setTimeout(() => { process.stdout.write('f a line\\nsecond'); setTimeout(() => process.stdout.write(' line\\n'), 50); }, 50);`,
    );
    let printed = '';
    const child = startNodeProcess('w', script, {}, { write: (text: string) => (printed += text) });
    const outputClosed = new Promise((resolve) => child.child.once('close', resolve));
    expect(await child.exited).toBe(0);
    await outputClosed;
    expect(printed).toBe('[w] half a line\n[w] second line\n');
  });

  it('stops a shell command and what it started', async () => {
    let printed = '';
    const child = startShellCommand('sh', 'echo started; sleep 30', {
      env: {},
      cwd: dir,
      output: { write: (text: string) => (printed += text) },
    });
    while (!printed.includes('started')) await new Promise((resolve) => setTimeout(resolve, 20));
    await child.stop(2_000);
    expect(child.child.exitCode !== null || child.child.signalCode !== null).toBe(true);
    expect(printed).toBe('[sh] started\n');
  });
});
