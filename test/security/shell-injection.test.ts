import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FlowctlStack } from '../support/flowctl-stack';
import { aWorkflow } from '../support/workflow-factory';

jest.setTimeout(90_000);

describe('security: shell tasks take template values as data, never as code', () => {
  let stack: FlowctlStack;
  const marker = join(tmpdir(), `flowctl-pwned-${randomBytes(6).toString('hex')}`);

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'security_shell', workerEnv: { FLOWCTL_SHELL_ENABLED: 'true' } });
    const applied = await stack.api.applyYaml(
      aWorkflow({
        name: 'echo-name',
        spec: { inputs: { name: { type: 'string' } } },
        tasks: [{ name: 'say', type: 'shell', with: { command: 'printf "%s" "$NAME"', env: { NAME: '{{ inputs.name }}' } } }],
      }),
    );
    expect(applied.status).toBe(200);
    // As people naturally write it: the template inside the command, where it becomes a quoted variable.
    const pasted = await stack.api.applyYaml(
      aWorkflow({
        name: 'in-command',
        spec: { inputs: { name: { type: 'string' } } },
        tasks: [{ name: 'say', type: 'shell', with: { command: 'printf "%s" {{ inputs.name }}' } }],
      }),
    );
    expect(pasted.status).toBe(200);
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(marker, { force: true });
  });

  const attempts: [string, string][] = [
    ['a quote and a semicolon', `"; touch ${marker}; echo "`],
    ['a command substitution', `$(touch ${marker})`],
    ['backticks', `\`touch ${marker}\``],
    ['a newline', `x\ntouch ${marker}`],
    ['a template of its own', '{{ run.id }}'],
  ];

  it.each(attempts.flatMap(([what, name]) => ['echo-name', 'in-command'].map((workflow) => [what, workflow, name] as const)))(
    'passes %s through an input as text, without running it (%s)',
    async (_what, workflow, name) => {
      const run = await stack.waitForRun((await stack.api.post(`/workflows/${workflow}/runs`, { inputs: { name } })).body.id);
      expect(run.status).toBe('succeeded');
      expect(run.tasks[0].output.stdout).toBe(name);
      expect(existsSync(marker)).toBe(false);
    },
  );

  it('shows where a template in a command went: a quoted variable, and its value in env', async () => {
    const run = await stack.waitForRun((await stack.api.post('/workflows/in-command/runs', { inputs: { name: 'x y' } })).body.id);
    expect(run.tasks[0].input).toEqual({ command: 'printf "%s" "${FLOWCTL_ARG_1}"', env: { FLOWCTL_ARG_1: 'x y' } });
  });

  it("keeps the worker's own credentials out of a command's environment", async () => {
    await stack.api.applyYaml(aWorkflow({ name: 'peek', tasks: [{ name: 'env', type: 'shell', with: { command: 'env' } }] }));
    const run = await stack.waitForRun((await stack.api.post('/workflows/peek/runs')).body.id);
    expect(run.status).toBe('succeeded');
    const stdout: string = run.tasks[0].output.stdout;
    expect(stdout).toMatch(/^PATH=/m);
    expect(stdout).not.toMatch(/^(REDIS_URL|DATABASE_URL|FLOWCTL_QUEUE_PREFIX)=/m);
    expect(stdout).not.toContain(stack.env.REDIS_URL!);
  });
});
