import { flowctl } from './testing/capture-io';

// Usage errors never reach a server: none is running, and none is needed.
describe('flowctl usage', () => {
  it('exits 2 with the reason on stderr for an unknown command', async () => {
    const result = await flowctl(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });

  it('exits 2 for an unknown option', async () => {
    const result = await flowctl(['get', 'runs', '--nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--nope'");
  });

  it('exits 2 for a missing argument', async () => {
    const result = await flowctl(['run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing required argument 'name'");
  });

  it('exits 2 for an unknown resource, listing the choices', async () => {
    const result = await flowctl(['get', 'pods']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Allowed choices are workflows, workflow, runs/);
  });

  it('exits 2 for a bad option value', async () => {
    expect((await flowctl(['get', 'runs', '-o', 'xml'])).code).toBe(2);
    expect((await flowctl(['get', 'runs', '--limit', '0'])).code).toBe(2);
    expect((await flowctl(['run', 'etl', '--wait', '--timeout', '30'])).stderr).toContain('invalid duration "30"');
  });

  it('exits 2 when apply has nothing to apply', async () => {
    const result = await flowctl(['apply']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nothing to apply');
  });

  it('exits 2 for a malformed --input before contacting the server', async () => {
    const result = await flowctl(['run', 'etl', '--input', 'oops']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: --input "oops": expected KEY=VALUE (or KEY=@FILE)\n');
  });

  it('exits 2 for a server URL it cannot use', async () => {
    const result = await flowctl(['get', 'runs', '--server', 'ftp://example.test']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid server URL');
  });

  it('shows help on stderr and exits 2 when no command is given', async () => {
    const result = await flowctl([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: flowctl');
  });

  it('prints help on stdout and exits 0 for --help', async () => {
    const result = await flowctl(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: flowctl');
    for (const command of ['apply', 'run', 'get', 'describe', 'cancel', 'retry', 'approve', 'reject', 'dlq', 'dev']) {
      expect(result.stdout).toContain(command);
    }
  });

  it('prints the version and exits 0', async () => {
    const result = await flowctl(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
