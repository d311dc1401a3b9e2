import { FlowctlStack } from './support/flowctl-stack';
import { runFlowctl } from './support/flowctl-cli';
import { waitFor } from './support/wait-for';
import { aWorkflow } from './support/workflow-factory';

const runsOf = async (stack: FlowctlStack, workflow: string) =>
  ((await stack.api.get(`/runs?workflow=${workflow}&limit=500`)).body.items as any[]).sort((a, b) =>
    a.scheduledFor?.localeCompare(b.scheduledFor),
  );

describe('cron schedules', () => {
  let stack: FlowctlStack;

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'schedules' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('fires one run per tick, exactly once even across a leader crash and restart', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'every-second',
        spec: { schedule: { cron: '* * * * * *', timezone: 'UTC', overlap: 'allow' } },
        tasks: [{ name: 'tick' }],
      }),
    );
    await waitFor(async () => (await runsOf(stack, 'every-second')).length >= 2, { timeoutMs: 10_000, what: 'two ticks' });
    // Kill the leader without warning and start another scheduler: the ticks go on, none twice.
    await stack.killScheduler();
    await stack.startScheduler();
    const before = (await runsOf(stack, 'every-second')).length;
    await waitFor(async () => (await runsOf(stack, 'every-second')).length >= before + 2, {
      timeoutMs: 20_000,
      what: 'ticks after the restart',
    });
    await stack.api.post('/workflows/every-second/schedule/pause');
    const runs = await runsOf(stack, 'every-second');
    const ticks = runs.map((run) => run.scheduledFor);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(ticks.every((tick: string) => tick.endsWith('.000Z'))).toBe(true);
    expect(runs.every((run) => run.idempotencyKey === `schedule:${run.scheduledFor}`)).toBe(true);
  });

  it('pauses and resumes', async () => {
    const paused = (await stack.api.get('/workflows/every-second/schedule')).body;
    expect(paused).toMatchObject({ paused: true, nextFireAt: null });
    const count = (await runsOf(stack, 'every-second')).length;
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // a paused schedule must stay quiet: nothing to wait for
    expect((await runsOf(stack, 'every-second')).length).toBeLessThanOrEqual(count + 1);
    const resumed = await stack.api.post('/workflows/every-second/schedule/resume');
    expect(resumed.body.paused).toBe(false);
    await waitFor(async () => (await runsOf(stack, 'every-second')).length > count + 1, { timeoutMs: 10_000, what: 'ticks after resume' });
    await stack.api.post('/workflows/every-second/schedule/pause');
  });

  it('skips ticks while a run is active under overlap: forbid', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'no-overlap',
        spec: { schedule: { cron: '* * * * * *', timezone: 'UTC', overlap: 'forbid' } },
        tasks: [{ name: 'nap', type: 'sleep', with: { duration: '2500ms' } }],
      }),
    );
    await waitFor(async () => (await runsOf(stack, 'no-overlap')).length >= 1, { timeoutMs: 10_000, what: 'a first tick' });
    await new Promise((resolve) => setTimeout(resolve, 1_800)); // ticks fall while the first run sleeps
    await stack.api.post('/workflows/no-overlap/schedule/pause');
    const runs = await runsOf(stack, 'no-overlap');
    expect(runs.filter((run) => run.status === 'running' || run.status === 'pending').length).toBeLessThanOrEqual(1);
    expect(runs.length).toBeLessThanOrEqual(2);
  });

  it('keeps one tick for later while a run is active under overlap: buffer_one', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'buffered',
        spec: { schedule: { cron: '* * * * * *', timezone: 'UTC', overlap: 'buffer_one' } },
        tasks: [{ name: 'nap', type: 'sleep', with: { duration: '1500ms' } }],
      }),
    );
    await waitFor(async () => (await runsOf(stack, 'buffered')).filter((run) => run.status === 'succeeded').length >= 2, {
      timeoutMs: 15_000,
      what: 'two buffered runs',
    });
    await stack.api.post('/workflows/buffered/schedule/pause');
    const runs = (await runsOf(stack, 'buffered')).filter((run) => run.startedAt).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    for (let i = 1; i < runs.length; i++) {
      if (runs[i - 1].finishedAt)
        expect(new Date(runs[i].startedAt).getTime()).toBeGreaterThanOrEqual(new Date(runs[i - 1].finishedAt).getTime());
    }
  });

  it('cancels the active run for the new tick under overlap: replace', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'replacing',
        spec: { schedule: { cron: '* * * * * *', timezone: 'UTC', overlap: 'replace' } },
        tasks: [{ name: 'nap', type: 'sleep', with: { duration: '30s' } }],
      }),
    );
    await waitFor(async () => (await runsOf(stack, 'replacing')).some((run) => run.status === 'cancelled'), {
      timeoutMs: 10_000,
      what: 'a replaced run',
    });
    await stack.api.post('/workflows/replacing/schedule/pause');
    const runs = await runsOf(stack, 'replacing');
    expect(runs.filter((run) => run.status === 'running').length).toBeLessThanOrEqual(1);
    for (const run of runs.filter((r) => r.status === 'running' || r.status === 'pending')) await stack.api.post(`/runs/${run.id}/cancel`);
  });

  it('backfills a range once: a repeated backfill starts nothing new', async () => {
    await stack.api.applyYaml(
      aWorkflow({ name: 'hourly', spec: { schedule: { cron: '0 * * * *', timezone: 'UTC' } }, tasks: [{ name: 'report' }] }),
    );
    const first = await runFlowctl([
      '--server',
      stack.url,
      'backfill',
      'hourly',
      '--from',
      '2026-01-01T00:00:00Z',
      '--to',
      '2026-01-01T05:00:00Z',
      '-o',
      'json',
    ]);
    expect(first.code).toBe(0);
    const items = JSON.parse(first.stdout);
    expect(items.map((item: any) => item.tick)).toEqual([1, 2, 3, 4, 5].map((h) => `2026-01-01T0${h}:00:00.000Z`));
    expect(items.every((item: any) => item.created)).toBe(true);
    const again = await stack.api.post('/workflows/hourly/backfill', { from: '2026-01-01T02:30:00Z', to: '2026-01-01T06:00:00Z' });
    expect(again.body.items.map((item: any) => item.created)).toEqual([false, false, false, true]);
    const bad = await stack.api.post('/workflows/hourly/backfill', { from: 'yesterday', to: '2026-01-01T06:00:00Z' });
    expect(bad.status).toBe(400);
    await waitFor(async () => (await runsOf(stack, 'hourly')).every((run) => run.status === 'succeeded'), {
      what: 'backfilled runs to finish',
    });
  });

  it('refuses at apply a schedule that never fires, and stores nothing', async () => {
    const answer = await stack.api.applyYaml(
      aWorkflow({ name: 'leap-of-faith', spec: { schedule: { cron: '0 0 31 2 *', timezone: 'UTC' } }, tasks: [{ name: 'never' }] }),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain('spec.schedule.cron: "0 0 31 2 *" never fires');
    expect((await stack.api.get('/workflows/leap-of-faith')).status).toBe(404);
  });
});
