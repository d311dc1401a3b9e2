import { join } from 'node:path';
import { FlowctlStack } from './support/flowctl-stack';
import { waitFor } from './support/wait-for';
import { aWorkflow, type TaskSketch } from './support/workflow-factory';

// The integration project's testTimeout in jest.config.js is a project option jest ignores: set it here.
jest.setTimeout(60_000);

/** Retries fast enough for a test, slow enough that the backoff is measurable. */
const FAST_RETRY = { initialInterval: '100ms', backoffCoefficient: 2 };

describe('the engine, end to end on Redis', () => {
  let stack: FlowctlStack;

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'engine' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** Applies a workflow and starts a run of it; returns the run id. */
  async function startRunOf(
    workflow: { name: string; tasks: TaskSketch[]; spec?: Record<string, unknown> },
    inputs?: Record<string, unknown>,
  ): Promise<string> {
    const applied = await stack.api.applyYaml(aWorkflow(workflow));
    expect(applied).toMatchObject({ status: 200 });
    const started = await stack.api.post(`/workflows/${workflow.name}/runs`, inputs ? { inputs } : {});
    expect(started.status).toBe(201);
    return started.body.id;
  }

  async function eventsOf(runId: string): Promise<any[]> {
    const { status, body } = await stack.api.get(`/runs/${runId}/events`);
    expect(status).toBe(200);
    return body.items;
  }

  const taskOf = (run: any, name: string) => {
    const task = run.tasks.find((t: any) => t.name === name);
    if (!task) throw new Error(`run ${run.id} has no task ${name}: ${JSON.stringify(run.tasks)}`);
    return task;
  };

  async function waitForTaskStatus(runId: string, name: string, status: string): Promise<any> {
    return waitFor(
      async () => {
        const { body } = await stack.api.get(`/runs/${runId}`);
        const task = body.tasks?.find((t: any) => t.name === name);
        return task?.status === status ? task : undefined;
      },
      { timeoutMs: 15_000, what: `task ${name} of run ${runId} to be ${status}` },
    );
  }

  async function deadLettersOf(workflow: string): Promise<any[]> {
    const { status, body } = await stack.api.get(`/dead-letters?workflow=${workflow}`);
    expect(status).toBe(200);
    return body.items;
  }

  /** Engine transactions that took at most `n` round trips to PostgreSQL so far, from the scheduler's metrics. */
  async function transactionsWithin(roundTrips: number): Promise<number> {
    const body = await (await fetch(`${stack.url}/api/v1/metrics`)).text();
    const bucket = body.match(new RegExp(`^flowctl_engine_transaction_round_trips_bucket\\{le="${roundTrips}"\\} (\\d+)$`, 'm'));
    if (!bucket) throw new Error(`no round-trip bucket le=${roundTrips} in the metrics`);
    return Number(bucket[1]);
  }

  it('moves a chain on in three round trips to PostgreSQL per hop: the counters of a run that goes on ride with the COMMIT', async () => {
    const hops = 20;
    const before = await transactionsWithin(3);
    const runId = await startRunOf({
      name: 'three-round-trips',
      tasks: Array.from({ length: hops + 1 }, (_, i) => ({ name: `t${i}`, ...(i > 0 ? { dependsOn: [`t${i - 1}`] } : {}) })),
    });
    const run = await stack.waitForRun(runId);
    expect(run).toMatchObject({ status: 'succeeded', tasksTotal: hops + 1 });
    // Every hop's result transaction but the last (which ends the run and must read its counters back).
    expect((await transactionsWithin(3)) - before).toBeGreaterThanOrEqual(hops);
  });

  it('runs a diamond and passes outputs downstream with their types', async () => {
    const applied = await stack.api.applyYaml(
      aWorkflow({
        name: 'diamond',
        spec: { inputs: { n: { type: 'integer', default: 2 } } },
        tasks: [
          { name: 'a', with: { n: '{{ inputs.n }}', label: 'n is {{ inputs.n }}' } },
          { name: 'b', dependsOn: ['a'], with: { fromA: '{{ tasks.a.output.n }}' } },
          { name: 'c', dependsOn: ['a'], with: { label: '{{ tasks.a.output.label }}' } },
          { name: 'd', dependsOn: ['b', 'c'], with: { b: '{{ tasks.b.output }}', c: '{{ tasks.c.output.label }}' } },
        ],
      }),
    );
    expect(applied.status).toBe(200);
    const started = await stack.api.post('/workflows/diamond/runs', { inputs: { n: 5 } });
    expect(started.status).toBe(201);
    const run = await stack.waitForRun(started.body.id);
    expect(run.status).toBe('succeeded');
    const d = run.tasks.find((t: any) => t.name === 'd');
    expect(d.output).toEqual({ b: { fromA: 5 }, c: 'n is 5' });
  });

  it('retries a failing task with exponential backoff until it succeeds', async () => {
    const runId = await startRunOf({
      name: 'retry-then-succeed',
      tasks: [{ name: 'flaky', type: 'fail', retry: { maxAttempts: 3, ...FAST_RETRY }, with: { message: 'busy', untilAttempt: 3 } }],
    });
    const run = await stack.waitForRun(runId);
    expect(run.status).toBe('succeeded');
    expect(taskOf(run, 'flaky')).toMatchObject({ status: 'succeeded', attempt: 3, output: { attempt: 3, succeededAfterFailures: 2 } });

    const events = await eventsOf(runId);
    const retrying = events.filter((e) => e.type === 'task_retrying');
    expect(retrying.map((e) => [e.attempt, e.details.delayMs, e.details.nextAttempt])).toEqual([
      [1, 100, 2],
      [2, 200, 3],
    ]);
    // Each next attempt is queued no sooner than its backoff after the failure it follows.
    const at = (type: string, attempt: number) => new Date(events.find((e) => e.type === type && e.attempt === attempt).at).getTime();
    expect(at('task_queued', 2) - at('task_failed', 1)).toBeGreaterThanOrEqual(100);
    expect(at('task_queued', 3) - at('task_failed', 2)).toBeGreaterThanOrEqual(200);
    expect(events.filter((e) => e.type === 'task_started').map((e) => e.attempt)).toEqual([1, 2, 3]);
  });

  it('marks a task dead when it exhausts its retries, skips its dependents, fails the run and lists the dead letter', async () => {
    const runId = await startRunOf({
      name: 'exhausts-retries',
      tasks: [
        { name: 'flaky', type: 'fail', retry: { maxAttempts: 2, ...FAST_RETRY }, with: { message: 'upstream is down', untilAttempt: 3 } },
        { name: 'after', dependsOn: ['flaky'], with: { ok: true } },
      ],
    });
    const run = await stack.waitForRun(runId);
    expect(run.status).toBe('failed');
    expect(taskOf(run, 'flaky')).toMatchObject({ status: 'dead', attempt: 2, error: { type: 'TaskFailed', message: 'upstream is down' } });
    expect(taskOf(run, 'after').status).toBe('skipped');
    const events = await eventsOf(runId);
    expect(events.filter((e) => e.type === 'task_dead').map((e) => [e.task, e.attempt])).toEqual([['flaky', 2]]);

    const letters = await deadLettersOf('exhausts-retries');
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      runId,
      workflow: 'exhausts-retries',
      task: 'flaky',
      type: 'fail',
      attempt: 2,
      error: { message: 'upstream is down' },
      input: { message: 'upstream is down', untilAttempt: 3 },
    });
    expect(letters[0].deadAt).toEqual(expect.any(String));
  });

  it('requeues a dead letter with a fresh budget: attempt numbers continue and the run completes', async () => {
    const runId = await startRunOf({
      name: 'requeue-dead',
      tasks: [
        { name: 'flaky', type: 'fail', retry: { maxAttempts: 2, ...FAST_RETRY }, with: { message: 'down', untilAttempt: 3 } },
        { name: 'after', dependsOn: ['flaky'], with: { attempt: '{{ tasks.flaky.output.attempt }}' } },
      ],
    });
    expect((await stack.waitForRun(runId)).status).toBe('failed');
    const [letter] = await deadLettersOf('requeue-dead');
    expect(letter).toBeDefined();

    const requeued = await stack.api.post(`/dead-letters/${letter.id}/requeue`);
    expect(requeued).toMatchObject({ status: 200, body: { runId, task: 'flaky', attempt: 3 } });

    const run = await waitFor(
      async () => {
        const { body } = await stack.api.get(`/runs/${runId}`);
        return body.status === 'succeeded' || body.status === 'failed' ? body : undefined;
      },
      { timeoutMs: 15_000, what: 'the requeued run to finish again' },
    );
    expect(run.status).toBe('succeeded');
    expect(taskOf(run, 'flaky')).toMatchObject({ status: 'succeeded', attempt: 3 });
    expect(taskOf(run, 'after')).toMatchObject({ status: 'succeeded', output: { attempt: 3 } });
    expect(await deadLettersOf('requeue-dead')).toEqual([]);
    expect((await eventsOf(runId)).filter((e) => e.type === 'task_requeued').map((e) => [e.task, e.attempt])).toEqual([['flaky', 3]]);

    const again = await stack.api.post(`/dead-letters/${letter.id}/requeue`);
    expect(again.status).toBe(409);
  });

  it('fails a task on its first attempt when its error type is non-retryable, without a dead letter', async () => {
    const runId = await startRunOf({
      name: 'non-retryable',
      tasks: [
        {
          name: 'validate',
          type: 'fail',
          retry: { maxAttempts: 3, ...FAST_RETRY, nonRetryable: ['ValidationError'] },
          with: { message: 'row 7 is malformed', errorType: 'ValidationError' },
        },
      ],
    });
    const run = await stack.waitForRun(runId);
    expect(run.status).toBe('failed');
    expect(taskOf(run, 'validate')).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: { type: 'ValidationError', message: 'row 7 is malformed' },
    });
    const events = await eventsOf(runId);
    expect(events.map((e) => e.type)).not.toContain('task_retrying');
    expect(events.map((e) => e.type)).not.toContain('task_dead');
    expect(await deadLettersOf('non-retryable')).toEqual([]);
  });

  it('skips a task whose when is false, and its dependents, and the run still succeeds', async () => {
    const runId = await startRunOf({
      name: 'when-false',
      tasks: [
        { name: 'check', with: { publish: false } },
        { name: 'publish', dependsOn: ['check'], when: '{{ tasks.check.output.publish == true }}' },
        { name: 'announce', dependsOn: ['publish'] },
        { name: 'archive', dependsOn: ['check'], when: '{{ tasks.check.output.publish == false }}' },
      ],
    });
    const run = await stack.waitForRun(runId);
    expect(run.status).toBe('succeeded');
    expect(Object.fromEntries(run.tasks.map((t: any) => [t.name, t.status]))).toEqual({
      check: 'succeeded',
      publish: 'skipped',
      announce: 'skipped',
      archive: 'succeeded',
    });
    const skips = (await eventsOf(runId)).filter((e) => e.type === 'task_skipped');
    expect(skips.map((e) => [e.task, e.details.reason]).sort()).toEqual([
      ['announce', 'upstream'],
      ['publish', 'when'],
    ]);
  });

  it('runs an all_done cleanup task after its upstream failed, and the run still fails', async () => {
    const runId = await startRunOf({
      name: 'cleanup-after-failure',
      tasks: [
        { name: 'work', type: 'fail', with: { message: 'broken' } },
        { name: 'after', dependsOn: ['work'] },
        { name: 'cleanup', dependsOn: ['work'], trigger: 'all_done', with: { upstream: '{{ tasks.work.status }}' } },
      ],
    });
    const run = await stack.waitForRun(runId);
    expect(run.status).toBe('failed');
    expect(taskOf(run, 'work').status).toBe('dead');
    expect(taskOf(run, 'after').status).toBe('skipped');
    const cleanup = taskOf(run, 'cleanup');
    expect(cleanup).toMatchObject({ status: 'succeeded', output: { upstream: 'dead' } });
    expect(new Date(cleanup.startedAt).getTime()).toBeGreaterThanOrEqual(new Date(taskOf(run, 'work').finishedAt).getTime());
  });

  it('cancels a running sleep: the run and task end cancelled at once and the worker aborts the task', async () => {
    const runId = await startRunOf({ name: 'cancel-sleep', tasks: [{ name: 'nap', type: 'sleep', with: { duration: '10s' } }] });
    await waitForTaskStatus(runId, 'nap', 'running');

    const requestedAt = Date.now();
    const cancelled = await stack.api.post(`/runs/${runId}/cancel`);
    expect(cancelled).toMatchObject({ status: 200, body: { id: runId, status: 'cancelled' } });
    const run = await stack.waitForRun(runId, 3_000);
    expect(run.status).toBe('cancelled');
    expect(taskOf(run, 'nap').status).toBe('cancelled');
    expect(new Date(run.finishedAt).getTime() - requestedAt).toBeLessThan(3_000);
    const types = (await eventsOf(runId)).map((e) => e.type);
    expect(types).toContain('task_cancelled');
    expect(types[types.length - 1]).toBe('run_cancelled');

    // The handler's AbortSignal fired: the worker ended the attempt long before the 10s sleep was over.
    await waitFor(
      () =>
        stack.output
          .toString()
          .split('\n')
          .some((line) => line.includes(runId) && line.includes('task failed: Cancelled')),
      {
        timeoutMs: 3_000,
        what: 'the worker to abort the cancelled sleep',
      },
    );
    expect((await stack.api.post(`/runs/${runId}/cancel`)).status).toBe(409);
  });

  it('cancels a run while a task waits out its retry backoff: no further attempt starts', async () => {
    const runId = await startRunOf({
      name: 'cancel-in-backoff',
      tasks: [{ name: 'flaky', type: 'fail', retry: { maxAttempts: 3, initialInterval: '2s' }, with: { message: 'not yet' } }],
    });
    await waitFor(async () => taskOf((await stack.api.get(`/runs/${runId}`)).body, 'flaky').status === 'retrying', {
      what: 'the task to wait for its retry',
    });
    expect((await stack.api.post(`/runs/${runId}/cancel`)).status).toBe(200);
    const cancelled = await stack.waitForRun(runId);
    expect(cancelled.status).toBe('cancelled');
    expect(taskOf(cancelled, 'flaky')).toMatchObject({ status: 'cancelled', attempt: 1, retryAt: null });
    // The retry was due 2s after the failure; give it that long to (wrongly) start.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const later = (await stack.api.get(`/runs/${runId}`)).body;
    expect(taskOf(later, 'flaky')).toMatchObject({ status: 'cancelled', attempt: 1 });
    expect((await stack.api.get(`/runs/${runId}/events`)).body.items.filter((e: any) => e.type === 'task_queued')).toHaveLength(1);
  });

  it('retries a failed run from its failed tasks only; succeeded tasks keep their output and attempt', async () => {
    const runId = await startRunOf({
      name: 'retry-run',
      tasks: [
        { name: 'extract', with: { rows: 3 } },
        { name: 'enrich', type: 'fail', dependsOn: ['extract'], retry: { maxAttempts: 1 }, with: { message: 'busy', untilAttempt: 2 } },
        {
          name: 'load',
          dependsOn: ['enrich'],
          with: { rows: '{{ tasks.extract.output.rows }}', enrichedOn: '{{ tasks.enrich.output.attempt }}' },
        },
      ],
    });
    const failed = await stack.waitForRun(runId);
    expect(failed.status).toBe('failed');
    const extractBefore = taskOf(failed, 'extract');

    const retried = await stack.api.post(`/runs/${runId}/retry`);
    expect(retried).toMatchObject({ status: 200, body: { id: runId, status: 'running' } });
    const run = await stack.waitForRun(runId);
    expect(run.status).toBe('succeeded');
    expect(taskOf(run, 'extract')).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      output: { rows: 3 },
      finishedAt: extractBefore.finishedAt,
    });
    expect(taskOf(run, 'enrich')).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(taskOf(run, 'load')).toMatchObject({ status: 'succeeded', output: { rows: 3, enrichedOn: 2 } });

    const events = await eventsOf(runId);
    expect(events.filter((e) => e.type === 'run_retried').map((e) => e.details.tasks)).toEqual([['enrich']]);
    expect(events.filter((e) => e.task === 'extract' && e.type === 'task_started')).toHaveLength(1);
    expect((await stack.api.post(`/runs/${runId}/retry`)).status).toBe(409);
  });

  describe('approval steps', () => {
    const approvalWorkflow = {
      name: 'needs-approval',
      tasks: [
        { name: 'gate', type: 'approval', with: { message: 'ship it?' } },
        { name: 'ship', dependsOn: ['gate'], with: { approved: '{{ tasks.gate.output.approved }}', by: '{{ tasks.gate.output.by }}' } },
      ],
    };

    it('waits, running, until approved; then the run succeeds with the decision as output', async () => {
      const runId = await startRunOf(approvalWorkflow);
      const gate = await waitForTaskStatus(runId, 'gate', 'running');
      expect(gate.workerId).toBe('approval');
      expect((await stack.api.get(`/runs/${runId}`)).body.status).toBe('running');
      expect(taskOf((await stack.api.get(`/runs/${runId}`)).body, 'ship').status).toBe('pending');

      const approved = await stack.api.post(`/runs/${runId}/tasks/gate/approve`, { by: 'ops', comment: 'looks good' });
      expect(approved).toMatchObject({ status: 200, body: { name: 'gate', status: 'succeeded' } });
      const run = await stack.waitForRun(runId);
      expect(run.status).toBe('succeeded');
      expect(taskOf(run, 'gate').output).toMatchObject({ approved: true, by: 'ops', comment: 'looks good' });
      expect(taskOf(run, 'ship').output).toEqual({ approved: true, by: 'ops' });

      expect((await stack.api.post(`/runs/${runId}/tasks/gate/approve`)).status).toBe(409);
      expect((await stack.api.post(`/runs/${runId}/tasks/ship/approve`)).status).toBe(409);
      expect((await stack.api.post(`/runs/${runId}/tasks/nope/approve`)).status).toBe(404);
    });

    it('fails the run when the step is rejected', async () => {
      const runId = await startRunOf(approvalWorkflow);
      await waitForTaskStatus(runId, 'gate', 'running');
      const rejected = await stack.api.post(`/runs/${runId}/tasks/gate/reject`, { comment: 'not today' });
      expect(rejected).toMatchObject({ status: 200, body: { name: 'gate', status: 'failed' } });
      const run = await stack.waitForRun(runId);
      expect(run.status).toBe('failed');
      expect(taskOf(run, 'gate')).toMatchObject({ status: 'failed', error: { type: 'Rejected', message: 'rejected: not today' } });
      expect(taskOf(run, 'ship').status).toBe('skipped');
      expect(await deadLettersOf('needs-approval')).toEqual([]);
    });
  });

  it('runs a one_failed alert only when something upstream failed, and a none_failed step past a skipped branch', async () => {
    const runId = await startRunOf({
      name: 'trigger-rules',
      tasks: [
        { name: 'ok', type: 'noop' },
        { name: 'broken', type: 'fail', with: { message: 'down' } },
        { name: 'optional', type: 'noop', when: '{{ false }}' },
        { name: 'alert', type: 'noop', dependsOn: ['ok', 'broken'], trigger: 'one_failed' },
        { name: 'all-good', type: 'noop', dependsOn: ['ok'], trigger: 'one_failed' },
        { name: 'tolerant', type: 'noop', dependsOn: ['ok', 'optional'], trigger: 'none_failed' },
        { name: 'any', type: 'noop', dependsOn: ['broken', 'ok'], trigger: 'one_success' },
      ],
    });
    const run = await stack.waitForRun(runId);
    expect(Object.fromEntries(run.tasks.map((t: any) => [t.name, t.status]))).toEqual({
      ok: 'succeeded',
      broken: 'dead',
      optional: 'skipped',
      alert: 'succeeded',
      'all-good': 'skipped',
      tolerant: 'succeeded',
      any: 'succeeded',
    });
  });

  it('records a complete event history in order: created first, queued before started before succeeded, succeeded last', async () => {
    const runId = await startRunOf({ name: 'event-order', tasks: [{ name: 'a' }, { name: 'b', dependsOn: ['a'] }] });
    expect((await stack.waitForRun(runId)).status).toBe('succeeded');
    const events = await eventsOf(runId);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('run_created');
    expect(types[types.length - 1]).toBe('run_succeeded');
    expect(types.filter((t) => t.startsWith('run_'))).toEqual(['run_created', 'run_started', 'run_succeeded']);
    for (const task of ['a', 'b']) {
      expect(events.filter((e) => e.task === task).map((e) => [e.type, e.attempt])).toEqual([
        ['task_queued', 1],
        ['task_started', 1],
        ['task_succeeded', 1],
      ]);
    }
    const index = (type: string, task: string) => events.findIndex((e) => e.type === type && e.task === task);
    expect(index('task_succeeded', 'a')).toBeLessThan(index('task_queued', 'b'));
    // Oldest first, by id and by time.
    const ids = events.map((e) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    const times = events.map((e) => new Date(e.at).getTime());
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });

  it('records attempt, worker, start and finish on each task', async () => {
    const runId = await startRunOf({ name: 'task-fields', tasks: [{ name: 'nap', type: 'sleep', with: { duration: '50ms' } }] });
    const run = await stack.waitForRun(runId);
    const workers = (await stack.api.get('/workers')).body.items.map((w: any) => w.id);
    const nap = taskOf(run, 'nap');
    expect(nap).toMatchObject({ status: 'succeeded', attempt: 1, type: 'sleep' });
    expect(workers).toContain(nap.workerId);
    expect(nap.output.sleptMs).toBeGreaterThanOrEqual(50);
    const started = new Date(nap.startedAt).getTime();
    const finished = new Date(nap.finishedAt).getTime();
    expect(finished - started).toBeGreaterThanOrEqual(40);
    expect(started).toBeGreaterThanOrEqual(new Date(run.createdAt).getTime());
    expect(new Date(run.finishedAt).getTime()).toBeGreaterThanOrEqual(finished);
  });

  it('passes a custom handler its attempt, a stable idempotency key (runId:taskName) and the last checkpoint of the attempt before', async () => {
    const worker = stack.startNodeScript('record-context', join(__dirname, 'support', 'fixtures', 'context-recording.worker.js'));
    await waitFor(async () => (await stack.api.get('/workers')).body.items.some((w: any) => w.types.includes('record-context')), {
      timeoutMs: 15_000,
      what: 'the custom worker to register',
    });
    const runId = await startRunOf({
      name: 'custom-context',
      tasks: [{ name: 'record', type: 'record-context', retry: { maxAttempts: 2, initialInterval: '100ms' } }],
    });
    const run = await stack.waitForRun(runId);
    expect(run.status).toBe('succeeded');
    expect(taskOf(run, 'record').output.attempts).toEqual([
      { idempotencyKey: `${runId}:record`, attempt: 1, runId, taskName: 'record', lastHeartbeatDetails: null },
      { idempotencyKey: `${runId}:record`, attempt: 2, runId, taskName: 'record', lastHeartbeatDetails: { checkpoint: 'after attempt 1' } },
    ]);
    await worker.stop(5_000);
  });

  it('fails a task whose template cannot be used at run time (forEach over a non-list), without retries or a dead letter', async () => {
    const runId = await startRunOf({
      name: 'runtime-template-failure',
      tasks: [
        { name: 'list', with: { files: 'not-a-list' } },
        {
          name: 'each',
          dependsOn: ['list'],
          forEach: '{{ tasks.list.output.files }}',
          retry: { maxAttempts: 3, ...FAST_RETRY },
          with: { file: '{{ item }}' },
        },
        { name: 'after', dependsOn: ['each'] },
      ],
    });
    const run = await stack.waitForRun(runId);
    expect(run.status).toBe('failed');
    const each = taskOf(run, 'each');
    expect(each).toMatchObject({ status: 'failed', error: { type: 'TemplateError', nonRetryable: true } });
    expect(each.error.message).toContain('not a list');
    expect(taskOf(run, 'after').status).toBe('skipped');
    const events = await eventsOf(runId);
    expect(events.filter((e) => e.task === 'each').map((e) => e.type)).toEqual(['task_failed']);
    expect(await deadLettersOf('runtime-template-failure')).toEqual([]);
  });
});
