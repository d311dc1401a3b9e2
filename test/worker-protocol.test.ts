import { randomBytes } from 'node:crypto';
import { runFlowctl } from './support/flowctl-cli';
import { FlowctlStack } from './support/flowctl-stack';
import type { ApiResponse, TestApi } from './support/api-client';
import { waitFor } from './support/wait-for';
import { aWorkflow } from './support/workflow-factory';

const ADMIN_TOKEN = `admin-${randomBytes(16).toString('hex')}`;
const SECRET_KEY = randomBytes(32).toString('base64');
const SECRET_VALUE = `s3cr3t-${randomBytes(8).toString('hex')}`;
const FAST_RETRY = { initialInterval: '100ms', backoffCoefficient: 1 };

/** The HTTP worker protocol against a real scheduler: plain fetch, as a worker in any language would call it. */
describe('HTTP worker protocol', () => {
  let stack: FlowctlStack;
  let api: TestApi;
  let typeCounter = 0;

  beforeAll(async () => {
    stack = await FlowctlStack.start({
      label: 'worker-protocol',
      workers: 0,
      schedulerEnv: { FLOWCTL_ADMIN_TOKEN: ADMIN_TOKEN, FLOWCTL_WORKER_LOST_AFTER: '3s', FLOWCTL_SECRET_KEY: SECRET_KEY },
    });
    api = stack.api;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** A task type of its own per test: no test takes another's tasks. */
  const freshType = () => `http-t${++typeCounter}`;
  const poll = (body: Record<string, unknown>, as: TestApi = api) => as.post('/worker/poll', body);
  const report = (leaseId: string, what: string, body: unknown = {}, as: TestApi = api) =>
    as.post(`/worker/tasks/${encodeURIComponent(leaseId)}/${what}`, body);

  async function startRun(workflow: string, tasks: Record<string, unknown>[], options: { namespace?: string } = {}) {
    const applied = await api.applyYaml(
      aWorkflow({
        name: workflow,
        tasks: tasks as never,
        metadata: options.namespace ? { namespace: options.namespace } : {},
      }),
    );
    expect(applied.status).toBeLessThan(300);
    const started = await api.post(`/workflows/${workflow}/runs${options.namespace ? `?namespace=${options.namespace}` : ''}`, {});
    expect(started.status).toBe(201);
    return started.body.id as string;
  }

  async function leaseOne(type: string, workerId = 'w-1', as: TestApi = api): Promise<any> {
    const polled = await poll({ workerId, types: [type], waitMs: 15_000 }, as);
    expect(polled.status).toBe(200);
    expect(polled.body.tasks).toHaveLength(1);
    return polled.body.tasks[0];
  }

  const taskOf = async (runId: string, name: string) => (await api.get(`/runs/${runId}`)).body.tasks.find((t: any) => t.name === name);

  it('leases a task with every field, shows the worker, and completes it (a repeated complete is harmless)', async () => {
    const type = freshType();
    const runId = await startRun('echo', [{ name: 'echo', type, with: { n: 7 }, timeout: '1m' }]);
    const before = Date.now();
    const polled = await poll({
      workerId: 'py-1@box',
      types: [type],
      max: 5,
      waitMs: 15_000,
      concurrency: 4,
      host: 'box',
      version: 'test/1.0',
    });
    expect(polled.status).toBe(200);
    expect(polled.body.tasks).toHaveLength(1);
    const task = polled.body.tasks[0];
    expect(task).toMatchObject({
      runId,
      workflow: 'echo',
      namespace: 'default',
      task: 'echo',
      type,
      attempt: 1,
      idempotencyKey: `${runId}:echo`,
      input: { n: 7 },
      lastHeartbeatDetails: null,
      heartbeatTimeoutMs: 30_000,
    });
    expect(typeof task.leaseId).toBe('string');
    expect(Date.parse(task.deadline)).toBeGreaterThanOrEqual(before + 60_000);
    expect(task.secrets).toBeUndefined();

    const worker = await waitFor(async () => (await api.get('/workers')).body.items.find((w: any) => w.id === 'py-1@box'), {
      timeoutMs: 10_000,
      what: 'the HTTP worker in GET /workers',
    });
    expect(worker).toMatchObject({ types: [type], concurrency: 4, host: 'box', version: 'test/1.0', status: 'active' });
    await waitFor(async () => (await taskOf(runId, 'echo')).status === 'running', { timeoutMs: 10_000, what: 'the start' });
    expect((await taskOf(runId, 'echo')).workerId).toBe('py-1@box');

    expect(await report(task.leaseId, 'heartbeat', { details: { step: 1 } })).toEqual({ status: 200, body: { cancelRequested: false } });
    expect(await report(task.leaseId, 'complete', { output: { square: 49 } })).toEqual({ status: 200, body: {} });
    expect((await report(task.leaseId, 'complete', { output: { square: 49 } })).status).toBe(200);
    const run = await stack.waitForRun(runId);
    expect(run.status).toBe('succeeded');
    expect(run.tasks[0]).toMatchObject({ status: 'succeeded', output: { square: 49 }, attempt: 1 });
    expect((await report(task.leaseId, 'complete', { output: { square: 49 } })).status).toBe(200);
    // Ended by its own complete: a heartbeat or a different report now is told to stop.
    expect((await report(task.leaseId, 'heartbeat')).status).toBe(409);
    expect((await report(task.leaseId, 'fail', { error: { type: 'Late', message: 'x' } })).status).toBe(409);
  });

  it('retries a failed attempt with the last heartbeat details, and a nonRetryable failure is final (failed, not retried)', async () => {
    const type = freshType();
    const runId = await startRun('flaky', [{ name: 'flaky', type, retry: { maxAttempts: 3, ...FAST_RETRY } }]);
    const first = await leaseOne(type);
    expect((await report(first.leaseId, 'heartbeat', { details: { page: 3 } })).status).toBe(200);
    const failed = await report(first.leaseId, 'fail', { error: { type: 'Busy', message: 'upstream busy', stack: 'at here' } });
    expect(failed).toEqual({ status: 200, body: {} });
    expect((await report(first.leaseId, 'fail', { error: { type: 'Busy', message: 'upstream busy' } })).status).toBe(200);

    const second = await leaseOne(type);
    expect(second).toMatchObject({ attempt: 2, lastHeartbeatDetails: { page: 3 } });
    // The first lease is of an attempt that is over.
    expect((await report(first.leaseId, 'heartbeat')).status).toBe(409);
    const fatal = await report(second.leaseId, 'fail', {
      error: { type: 'BadInput', message: 'cannot parse', nonRetryable: true },
      details: { page: 4 },
    });
    expect(fatal.status).toBe(200);
    const run = await stack.waitForRun(runId);
    expect(run.status).toBe('failed');
    expect(run.tasks[0]).toMatchObject({
      status: 'failed',
      attempt: 2,
      error: { type: 'BadInput', message: 'cannot parse', nonRetryable: true },
    });
  });

  it('takes several outcomes in one POST /worker/reports, answering each as its own call would', async () => {
    const type = freshType();
    const runId = await startRun('batched', [
      { name: 'a', type },
      { name: 'b', type, retry: { maxAttempts: 2, ...FAST_RETRY } },
      { name: 'c', type },
    ]);
    const polled = await poll({ workerId: 'w-batch', types: [type], max: 3, waitMs: 15_000 });
    const byName = Object.fromEntries(await waitForAll(polled.body.tasks, type, 3));
    const body = {
      reports: [
        { leaseId: byName.a.leaseId, outcome: 'completed', output: { n: 1 } },
        { leaseId: byName.b.leaseId, outcome: 'failed', error: { type: 'Busy', message: 'later' }, details: { page: 2 } },
        { leaseId: byName.c.leaseId, outcome: 'completed', output: 'x'.repeat(1_048_577) },
        { leaseId: 'forged.lease', outcome: 'completed', output: 1 },
      ],
    };
    const answered = await api.post('/worker/reports', body);
    expect(answered.status).toBe(200);
    expect(answered.body.results.map((result: any) => [result.leaseId, result.status])).toEqual([
      [byName.a.leaseId, 'recorded'],
      [byName.b.leaseId, 'recorded'],
      [byName.c.leaseId, 'refused'],
      ['forged.lease', 'gone'],
    ]);
    expect(answered.body.results[2].message).toContain('limit');
    // c is still this worker's: its output, made smaller, is taken; a repeated report of a is harmless.
    const retried = await leaseOne(type, 'w-batch');
    expect(retried).toMatchObject({ task: 'b', attempt: 2, lastHeartbeatDetails: { page: 2 } });
    const again = await api.post('/worker/reports', {
      reports: [
        { leaseId: byName.c.leaseId, outcome: 'completed', output: { n: 3 } },
        { leaseId: byName.a.leaseId, outcome: 'completed', output: { n: 1 } },
        { leaseId: retried.leaseId, outcome: 'completed', output: { n: 2 } },
      ],
    });
    expect(again.body.results.map((result: any) => result.status)).toEqual(['recorded', 'recorded', 'recorded']);
    const run = await stack.waitForRun(runId);
    expect(run.status).toBe('succeeded');
    expect(Object.fromEntries(run.tasks.map((task: any) => [task.name, [task.attempt, task.output]]))).toEqual({
      a: [1, { n: 1 }],
      b: [2, { n: 2 }],
      c: [1, { n: 3 }],
    });
    // Over, each: a different report is told the attempt is gone, and a bad body is a 400 for the whole call.
    const late = await api.post('/worker/reports', {
      reports: [{ leaseId: byName.a.leaseId, outcome: 'failed', error: { type: 'Late', message: 'x' } }],
    });
    expect(late.body.results[0].status).toBe('gone');
    expect((await api.post('/worker/reports', { reports: [] })).status).toBe(400);
    expect((await api.post('/worker/reports', { reports: [{ leaseId: 'x', outcome: 'maybe' }] })).status).toBe(400);
  });

  /** The tasks a poll leased, by name, polling for the rest should the first answer hold only some. */
  async function waitForAll(first: any[], type: string, count: number): Promise<[string, any][]> {
    const tasks = [...first];
    while (tasks.length < count)
      tasks.push(...(await poll({ workerId: 'w-batch', types: [type], max: count - tasks.length, waitMs: 15_000 })).body.tasks);
    return tasks.map((task) => [task.task, task]);
  }

  it('answers 409 to a heartbeat after the start-to-close timeout, and the attempt times out', async () => {
    const type = freshType();
    const runId = await startRun('slow', [{ name: 'slow', type, timeout: '800ms', retry: { maxAttempts: 1 } }]);
    const task = await leaseOne(type);
    expect((await report(task.leaseId, 'heartbeat')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const late = await report(task.leaseId, 'heartbeat');
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
    const run = await stack.waitForRun(runId);
    expect(run.tasks[0]).toMatchObject({ status: 'dead', error: { type: 'Timeout', details: { timeout: 'startToClose' } } });
    expect((await report(task.leaseId, 'complete', { output: 1 })).status).toBe(409);
  });

  it('tells the worker to stop when its run is cancelled', async () => {
    const type = freshType();
    const runId = await startRun('cancelled', [{ name: 'long', type }]);
    const task = await leaseOne(type);
    await waitFor(async () => (await taskOf(runId, 'long')).status === 'running', { timeoutMs: 10_000, what: 'the start' });
    expect((await api.post(`/runs/${runId}/cancel`, {})).status).toBeLessThan(300);
    const answer = await waitFor(
      async () => {
        const beat = await report(task.leaseId, 'heartbeat');
        return beat.status === 409 || beat.body.cancelRequested === true ? beat : undefined;
      },
      { timeoutMs: 10_000, what: 'the heartbeat to tell of the cancel' },
    );
    expect([409, 200]).toContain(answer.status);
    expect((await stack.waitForRun(runId)).status).toBe('cancelled');
  });

  it('fails the attempts of a poller that went silent as WorkerLost, and retries them', async () => {
    const type = freshType();
    const runId = await startRun('orphan', [{ name: 'orphan', type, retry: { maxAttempts: 2, ...FAST_RETRY } }]);
    const lost = await leaseOne(type, 'ghost-worker');
    // Nothing more from ghost-worker: no heartbeat, no poll.
    const retry = await leaseOne(type, 'live-worker');
    expect(retry.attempt).toBe(2);
    const events = (await api.get(`/runs/${runId}/events`)).body.items ?? [];
    const failure = events.find((event: any) => event.type === 'task_failed' || event.type === 'task_retrying');
    expect(JSON.stringify(failure ?? events)).toContain('WorkerLost');
    expect((await report(lost.leaseId, 'heartbeat')).status).toBe(409);
    expect((await report(retry.leaseId, 'complete', { output: 'ok' })).status).toBe(200);
    expect((await stack.waitForRun(runId)).status).toBe('succeeded');
  }, 40_000);

  it('answers 400 to bad bodies and 404 to a forged or garbled lease', async () => {
    const bad = async (response: Promise<ApiResponse>, text: string) => {
      const answer = await response;
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(answer.body.message).toContain(text);
    };
    await bad(poll({ types: ['x'] }), 'workerId');
    await bad(poll({ workerId: 'w', types: [] }), 'types');
    await bad(poll({ workerId: 'w', types: ['x'], waitMs: 60_000 }), 'waitMs');
    await bad(poll({ workerId: 'w', types: ['x'], max: 0 }), 'max');

    const type = freshType();
    const runId = await startRun('bodies', [{ name: 'one', type }]);
    const task = await leaseOne(type);
    await bad(report(task.leaseId, 'fail', { error: { message: 'no type' } }), 'error.type');
    await bad(report(task.leaseId, 'logs', { lines: [{ level: 'loud', message: 'x' }] }), 'level');
    await bad(report(task.leaseId, 'heartbeat', { detail: 1 }), 'detail');

    const [payload, signature] = task.leaseId.split('.');
    const payloadText = Buffer.from(payload, 'base64url').toString();
    const otherNamespace = Buffer.from(payloadText.replace('"default"', '"other"')).toString('base64url');
    for (const forged of [`${otherNamespace}.${signature}`, 'garbage', `${payload}.${'A'.repeat(43)}`]) {
      const answer = await report(forged, 'complete', { output: 1 });
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    }
    expect(
      (await report(task.leaseId, 'logs', { lines: [{ message: 'hello' }, { message: 'oops', level: 'error', stream: 'stderr' }] })).body,
    ).toEqual({
      accepted: 2,
    });
    expect((await report(task.leaseId, 'complete', { output: null })).status).toBe(200);
    expect((await stack.waitForRun(runId)).status).toBe('succeeded');
  });

  it('long-polls: returns no task after waitMs, and returns early when a task arrives', async () => {
    const type = freshType();
    const started = Date.now();
    const empty = await poll({ workerId: 'w-1', types: [type], waitMs: 700 });
    expect(empty).toEqual({ status: 200, body: { tasks: [] } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);

    const waiting = poll({ workerId: 'w-1', types: ['http-never', type], waitMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const askedAt = Date.now();
    const runId = await startRun('arrives', [{ name: 'arrives', type }]);
    const answered = await waiting;
    expect(answered.body.tasks).toHaveLength(1);
    expect(answered.body.tasks[0]).toMatchObject({ runId, type });
    expect(Date.now() - askedAt).toBeLessThan(5_000);
    expect((await report(answered.body.tasks[0].leaseId, 'complete', { output: 1 })).status).toBe(200);
  });

  it('hands out the tasks of a type by priority', async () => {
    const type = freshType();
    const runId = await startRun('prioritised', [
      { name: 'low', type, priority: 5 },
      { name: 'high', type, priority: 1 },
      { name: 'mid', type, priority: 3 },
    ]);
    await waitFor(async () => (await api.get(`/runs/${runId}`)).body.tasks.every((t: any) => t.status === 'queued'), {
      timeoutMs: 10_000,
      what: 'the tasks to be queued',
    });
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      const task = await leaseOne(type);
      order.push(task.task);
      expect((await report(task.leaseId, 'complete', { output: i })).status).toBe(200);
    }
    expect(order).toEqual(['high', 'mid', 'low']);
    const batch = await poll({ workerId: 'w-1', types: [type], max: 10, waitMs: 0 });
    expect(batch.body.tasks).toEqual([]);
  });

  it('fills secrets in for the worker and masks them in everything it sends back', async () => {
    expect((await api.request('PUT', '/secrets/API_TOKEN', { value: SECRET_VALUE })).status).toBe(200);
    const type = freshType();
    const runId = await startRun('secretive', [{ name: 'use', type, with: { auth: 'Bearer {{ secrets.API_TOKEN }}', n: 1 } }]);
    const task = await leaseOne(type);
    expect(task.input).toEqual({ auth: `Bearer ${SECRET_VALUE}`, n: 1 });
    expect(task.secrets).toEqual({ API_TOKEN: SECRET_VALUE });
    expect((await report(task.leaseId, 'heartbeat', { details: { token: SECRET_VALUE } })).status).toBe(200);
    const completed = await report(task.leaseId, 'complete', { output: { echoed: `got ${SECRET_VALUE}` } });
    expect(completed.status).toBe(200);
    const run = await stack.waitForRun(runId);
    expect(run.tasks[0].output).toEqual({ echoed: 'got ***' });
    const everything = JSON.stringify([run, (await api.get(`/runs/${runId}/events`)).body]);
    expect(everything).not.toContain(SECRET_VALUE);
  });

  it('makes worker tokens with flowctl token create --role worker', async () => {
    const created = await runFlowctl(
      ['--server', stack.url, 'token', 'create', '--role', 'worker', '--namespace', 'team-c', '--name', 'cli-worker'],
      {
        env: { FLOWCTL_TOKEN: ADMIN_TOKEN },
      },
    );
    expect(created.code).toBe(0);
    const worker = api.as(created.stdout.trim());
    expect((await poll({ workerId: 'cli-made', types: [freshType()], waitMs: 0 }, worker)).status).toBe(200);
    expect((await worker.get('/runs')).status).toBe(403);
    const listed = (await api.get('/tokens')).body.items.find((token: any) => token.name === 'cli-worker');
    expect(listed).toMatchObject({ role: 'worker', namespaces: ['team-c'] });
  });

  describe('with a worker token', () => {
    let worker: TestApi;
    beforeAll(async () => {
      const created = await api.post('/tokens', { role: 'worker', namespaces: ['team-a'], name: 'team-a-worker' });
      expect(created.status).toBe(201);
      worker = api.as(created.body.token);
    });

    it('may take and report tasks of its namespaces, and nothing else', async () => {
      const type = freshType();
      const runA = await startRun('ns-job', [{ name: 'job', type }], { namespace: 'team-a' });
      const task = await leaseOne(type, 'team-a-box', worker);
      expect(task).toMatchObject({ runId: runA, namespace: 'team-a' });
      expect((await report(task.leaseId, 'heartbeat', {}, worker)).status).toBe(200);
      expect((await report(task.leaseId, 'complete', { output: 'a' }, worker)).status).toBe(200);

      for (const refused of [
        await worker.get('/runs'),
        await worker.post('/workflows/ns-job/runs?namespace=team-a', {}),
        await worker.get('/workers'),
      ])
        expect(refused).toMatchObject({ status: 403, body: { statusCode: 403, error: 'Forbidden' } });

      // Another namespace's task of the same type is not this token's to take...
      const runB = await startRun('ns-job', [{ name: 'job', type }], { namespace: 'team-b' });
      const none = await poll({ workerId: 'team-a-box', types: [type], waitMs: 1_500 }, worker);
      expect(none).toEqual({ status: 200, body: { tasks: [] } });
      // ... nor its lease to use, though an admin may.
      const other = await leaseOne(type, 'admin-box');
      expect(other.runId).toBe(runB);
      expect((await report(other.leaseId, 'heartbeat', {}, worker)).status).toBe(404);
      expect((await report(other.leaseId, 'complete', { output: 'b' })).status).toBe(200);
      expect((await stack.waitForRun(runB)).status).toBe('succeeded');
    });
  });
});
