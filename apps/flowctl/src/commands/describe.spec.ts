import { flowctl } from '../testing/capture-io';
import { type FakeApi, startFakeApi } from '../testing/fake-api-server';

const run = {
  id: 'r1',
  workflow: 'etl',
  version: 3,
  status: 'failed',
  inputs: { date: '2026-01-01' },
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: '2026-01-01T00:00:01.000Z',
  finishedAt: '2026-01-01T00:00:04.000Z',
  tasks: [
    {
      name: 'extract',
      type: 'http',
      status: 'succeeded',
      attempt: 1,
      output: { status: 200 },
      error: null,
      startedAt: '2026-01-01T00:00:01.000Z',
      finishedAt: '2026-01-01T00:00:02.000Z',
      workerId: 'w1',
    },
    {
      name: 'transform',
      type: 'shell',
      status: 'dead',
      attempt: 3,
      output: null,
      error: { type: 'ShellError', message: 'exit code 2' },
      startedAt: '2026-01-01T00:00:02.000Z',
      finishedAt: '2026-01-01T00:00:04.000Z',
      workerId: 'w2',
    },
    {
      name: 'load',
      type: 'noop',
      status: 'skipped',
      attempt: 0,
      output: null,
      error: null,
      startedAt: null,
      finishedAt: null,
      workerId: null,
    },
  ],
};

const events = Array.from({ length: 25 }, (_, index) => ({
  id: index + 1,
  type: index === 24 ? 'run.failed' : 'task.attempt_failed',
  task: index === 24 ? null : 'transform',
  attempt: index === 24 ? null : 1,
  at: '2026-01-01T00:00:03.000Z',
  details: index === 24 ? null : { message: `failure ${index + 1}` },
}));

const delivery = {
  id: '7',
  event: 'failed',
  destination: 'https://hooks.example.com',
  format: 'json',
  signed: true,
  status: 'pending',
  nextAttemptAt: '2026-01-01T00:00:44.000Z',
  createdAt: '2026-01-01T00:00:04.000Z',
  finishedAt: null,
  lastError: 'answered 503',
  deadTask: null,
  attempts: [
    { attempt: 1, startedAt: '2026-01-01T00:00:04.000Z', durationMs: 3, statusCode: null, response: null, error: 'ECONNREFUSED: connect' },
    { attempt: 2, startedAt: '2026-01-01T00:00:14.000Z', durationMs: 42, statusCode: 503, response: 'busy', error: null },
  ],
};

describe('flowctl describe run', () => {
  let api: FakeApi;
  beforeEach(async () => {
    api = await startFakeApi({
      'GET /runs/r1': { body: run },
      'GET /runs/r1/events': { body: { items: events, nextCursor: null } },
      'GET /runs/r1/notifications': { body: { items: [delivery], nextCursor: null } },
    });
  });
  afterEach(() => api.close());

  it('shows the header, the tasks, why tasks failed and the latest events', async () => {
    const result = await flowctl(['describe', 'run', 'r1'], { server: api.url });
    expect(result.code).toBe(0);
    const text = result.stdout;
    expect(text).toMatch(/^ID: +r1\nWorkflow: +etl \(version 3\)\nStatus: +failed\n/);
    expect(text).toContain('Duration:   3.0s');
    expect(text).toContain("Inputs:\n  date: '2026-01-01'\n");
    expect(text).toMatch(/Tasks:\n {2}NAME +TYPE +STATUS +ATTEMPT +STARTED +DURATION +WORKER\n {2}extract +http +succeeded +1 /);
    expect(text).toMatch(/ {2}load +noop +skipped +0 +- +- +-\n/);
    expect(text).toContain('Errors:\n  transform (attempt 3): ShellError: exit code 2\n');
    expect(text).toMatch(
      /Notifications:\n {2}EVENT +DESTINATION +FORMAT +STATUS +ATTEMPTS +LAST ANSWER +NEXT ATTEMPT\n {2}failed +https:\/\/hooks\.example\.com +json, signed +pending +2 +503 \(42 ms\) +in \d+[smhd]\n/,
    );
    expect(text).toContain('Events (last 20 of 25):');
    expect(text).not.toContain('failure 5"');
    expect(text).toContain('{"message":"failure 24"}');
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^ {2}\S+ +run\.failed +- +-$/);
  });

  it('names the event that started the run', async () => {
    const started = await startFakeApi({
      'GET /runs/r1': {
        body: { ...run, event: { id: 'order-7', name: 'order.created', source: 'api', receivedAt: '2026-01-01T00:00:00.000Z' } },
      },
      'GET /runs/r1/events': { body: { items: [], nextCursor: null } },
      'GET /runs/r1/notifications': { body: { items: [], nextCursor: null } },
    });
    const result = await flowctl(['describe', 'run', 'r1'], { server: started.url });
    await started.close();
    expect(result.stdout).toMatch(/Started by: +event order\.created \(id order-7, from api, /);
  });

  it('prints the run with its events as one JSON document with -o json', async () => {
    const result = await flowctl(['describe', 'run', 'r1', '-o', 'json'], { server: api.url });
    const document = JSON.parse(result.stdout) as { id: string; tasks: unknown[]; events: unknown[]; notifications: unknown[] };
    expect(document.notifications).toEqual([delivery]);
    expect(document).toMatchObject({ id: 'r1', status: 'failed' });
    expect(document.tasks).toHaveLength(3);
    expect(document.events).toHaveLength(25);
  });

  it('exits 1 for an unknown run', async () => {
    const result = await flowctl(['describe', 'run', 'nope'], { server: api.url });
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'error: no route GET /runs/nope\n' });
  });
});

describe('flowctl describe workflow', () => {
  it('shows the workflow and its spec', async () => {
    const api = await startFakeApi({
      'GET /workflows/etl': {
        body: {
          name: 'etl',
          namespace: 'default',
          version: 2,
          versions: [{ version: 1 }, { version: 2 }],
          spec: { tasks: [{ name: 'a', type: 'noop' }] },
        },
      },
    });
    try {
      const result = await flowctl(['describe', 'workflow', 'etl'], { server: api.url });
      expect(result.stdout).toContain('Name:       etl\nNamespace:  default\nVersion:    2\n');
      expect(result.stdout).toContain('Versions:   2\nSpec:\n  tasks:\n    - name: a\n      type: noop\n');
    } finally {
      await api.close();
    }
  });
});
