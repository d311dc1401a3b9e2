import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Run, TaskRun } from '../api-shapes';
import { flowctl } from '../testing/capture-io';
import { type FakeApi, type Reply, startFakeApi } from '../testing/fake-api-server';

const aRun = (status: string, tasks: Partial<TaskRun>[] = [], extra: Partial<Run> = {}): Reply => ({
  body: {
    id: 'r1',
    workflow: 'etl',
    status,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: '2026-01-01T00:00:00.000Z',
    tasks: tasks.map((task) => ({ name: 'extract', type: 'noop', status: 'pending', attempt: 1, ...task })),
    ...extra,
  },
});

describe('flowctl run', () => {
  let api: FakeApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('starts a run with typed inputs and an idempotency key, and prints its id', async () => {
    api = await startFakeApi({ 'POST /workflows/etl/runs': { status: 201, body: { id: 'r1', status: 'pending' } } });
    const result = await flowctl(
      ['run', 'etl', '--input', 'date=2026-01-01', '--input', 'count=3', '--input', 'opts={"dry":true}', '--idempotency-key', 'k1'],
      { server: api.url },
    );
    expect(result).toEqual({ code: 0, stdout: 'run/r1 created (status pending)\n', stderr: '' });
    expect(JSON.parse(api.requests[0]?.body ?? '')).toEqual({
      inputs: { date: '2026-01-01', count: 3, opts: { dry: true } },
      idempotencyKey: 'k1',
    });
  });

  it('merges --inputs-file under --input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowctl-run-'));
    try {
      const file = join(dir, 'inputs.yaml');
      writeFileSync(file, 'date: "2025-12-31"\nregion: eu\n');
      api = await startFakeApi({ 'POST /workflows/etl/runs': { status: 201, body: { id: 'r1', status: 'pending' } } });
      await flowctl(['run', 'etl', '--inputs-file', file, '--input', 'date=2026-01-01'], { server: api.url });
      expect(JSON.parse(api.requests[0]?.body ?? '').inputs).toEqual({ date: '2026-01-01', region: 'eu' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says when an idempotency key returned an existing run', async () => {
    api = await startFakeApi({ 'POST /workflows/etl/runs': { status: 200, body: { id: 'r1', status: 'running' } } });
    const result = await flowctl(['run', 'etl', '--idempotency-key', 'k1'], { server: api.url });
    expect(result.stdout).toBe('run/r1 already started with idempotency key "k1" (status running)\n');
  });

  it('prints the created run as JSON with -o json', async () => {
    api = await startFakeApi({ 'POST /workflows/etl/runs': { status: 201, body: { id: 'r1', status: 'pending' } } });
    const result = await flowctl(['run', 'etl', '-o', 'json'], { server: api.url });
    expect(JSON.parse(result.stdout)).toEqual({ id: 'r1', status: 'pending' });
  });

  it('exits 1 with the server message for an unknown workflow', async () => {
    api = await startFakeApi({});
    const result = await flowctl(['run', 'nope'], { server: api.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: no route POST /workflows/nope/runs\n');
  });

  it('exits 2 with the server message when the server rejects the inputs', async () => {
    api = await startFakeApi({
      'POST /workflows/etl/runs': {
        status: 400,
        body: { statusCode: 400, error: 'Bad Request', message: 'inputs.count: expected a number' },
      },
    });
    const result = await flowctl(['run', 'etl', '--input', 'count=x'], { server: api.url });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: inputs.count: expected a number\n');
  });

  describe('--wait', () => {
    it('prints each task change as it happens and exits 0 when the run succeeds', async () => {
      api = await startFakeApi({
        'POST /workflows/etl/runs': { status: 201, body: { id: 'r1', status: 'pending' } },
        'GET /runs/r1': [
          aRun('running', [{ name: 'extract', status: 'running' }, { name: 'load' }]),
          aRun('running', [
            { name: 'extract', status: 'succeeded' },
            { name: 'load', status: 'running' },
          ]),
          aRun(
            'succeeded',
            [
              { name: 'extract', status: 'succeeded' },
              { name: 'load', status: 'succeeded' },
            ],
            {
              finishedAt: '2026-01-01T00:00:02.500Z',
            },
          ),
        ],
      });
      const result = await flowctl(['run', 'etl', '--wait'], { server: api.url });
      expect(result.stdout.split('\n')).toEqual([
        'run/r1 created (status pending)',
        'extract running',
        'extract succeeded',
        'load running',
        'load succeeded',
        'run/r1 succeeded (2.5s)',
        '',
      ]);
      expect(result.code).toBe(0);
    });

    it('exits 1 when the run fails, naming the task error', async () => {
      api = await startFakeApi({
        'POST /workflows/etl/runs': { status: 201, body: { id: 'r1', status: 'pending' } },
        'GET /runs/r1': aRun('failed', [{ name: 'extract', status: 'dead', attempt: 3, error: { type: 'Error', message: 'boom' } }], {
          finishedAt: '2026-01-01T00:00:01.000Z',
        }),
      });
      const result = await flowctl(['run', 'etl', '--wait'], { server: api.url });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('run/r1 created (status pending)\nextract dead (attempt 3): boom\nrun/r1 failed (1.0s)\n');
    });

    it('keeps stdout a single document with -o json, progress going to stderr', async () => {
      api = await startFakeApi({
        'POST /workflows/etl/runs': { status: 201, body: { id: 'r1', status: 'pending' } },
        'GET /runs/r1': aRun('succeeded', [{ name: 'extract', status: 'succeeded' }]),
      });
      const result = await flowctl(['run', 'etl', '--wait', '-o', 'json'], { server: api.url });
      expect(JSON.parse(result.stdout)).toMatchObject({ id: 'r1', status: 'succeeded' });
      expect(result.stderr).toBe('run/r1 created (status pending)\nextract succeeded\n');
      expect(result.code).toBe(0);
    });

    it('gives up after --timeout with exit 1, leaving the run alone', async () => {
      api = await startFakeApi({
        'POST /workflows/etl/runs': { status: 201, body: { id: 'r1', status: 'pending' } },
        'GET /runs/r1': aRun('running', [{ name: 'extract', status: 'running' }]),
      });
      const result = await flowctl(['run', 'etl', '--wait', '--timeout', '300ms'], { server: api.url });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('error: gave up waiting for run/r1 after 300ms (status running); it goes on running on the server\n');
      expect(api.requests.some((request) => request.path.endsWith('/cancel'))).toBe(false);
    });
  });
});
