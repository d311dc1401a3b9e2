import { load } from 'js-yaml';
import { flowctl } from '../testing/capture-io';
import { type FakeApi, startFakeApi } from '../testing/fake-api-server';

const aRun = (id: string, status = 'succeeded') => ({ id, workflow: 'etl', status, createdAt: new Date().toISOString() });

/** Three runs over two pages, as the scheduler pages them. */
const pagedRuns = () => ({
  'GET /runs': (request: { query: URLSearchParams }) =>
    request.query.get('cursor') === 'page-2'
      ? { body: { items: [aRun('r1')], nextCursor: null } }
      : { body: { items: [aRun('r3', 'running'), aRun('r2', 'failed')], nextCursor: 'page-2' } },
});

describe('flowctl get', () => {
  let api: FakeApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('lists the first page of runs as a table, hinting at --all on stderr', async () => {
    api = await startFakeApi(pagedRuns());
    const result = await flowctl(['get', 'runs'], { server: api.url });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').map((line) => line.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'ID WORKFLOW STATUS',
      'r3 etl running',
      'r2 etl failed',
      '',
    ]);
    expect(result.stderr).toBe('(more runs on later pages: add --all to list them all)\n');
    expect(api.requests).toHaveLength(1);
  });

  it('follows nextCursor with --all', async () => {
    api = await startFakeApi(pagedRuns());
    const result = await flowctl(['get', 'runs', '--all', '-o', 'json'], { server: api.url });
    expect((JSON.parse(result.stdout) as { id: string }[]).map((run) => run.id)).toEqual(['r3', 'r2', 'r1']);
    expect(api.requests.map((request) => request.query.get('cursor'))).toEqual([null, 'page-2']);
    expect(result.stderr).toBe('');
  });

  it('passes --workflow, --status and --limit as query parameters', async () => {
    api = await startFakeApi(pagedRuns());
    await flowctl(['get', 'run', '--workflow', 'etl', '--status', 'failed', '--limit', '5'], { server: api.url });
    expect(Object.fromEntries(api.requests[0]?.query ?? [])).toEqual({ workflow: 'etl', status: 'failed', limit: '5' });
  });

  it('shows one workflow by name, in YAML with -o yaml', async () => {
    const workflow = { name: 'etl', namespace: 'default', version: 2, spec: { tasks: [{ name: 'a', type: 'noop' }] } };
    api = await startFakeApi({ 'GET /workflows/etl': { body: workflow } });
    const result = await flowctl(['get', 'workflow', 'etl', '-o', 'yaml'], { server: api.url });
    expect(load(result.stdout)).toEqual(workflow);
  });

  it('lists workers and dead letters (also as dlq)', async () => {
    api = await startFakeApi({
      'GET /workers': { body: { items: [{ id: 'w1', types: ['noop', 'http'], concurrency: 4, status: 'online' }], nextCursor: null } },
      'GET /dead-letters': {
        body: {
          items: [{ id: 9, runId: 'r1', workflow: 'etl', task: 'load', type: 'http', attempt: 3, error: { message: 'boom' } }],
          nextCursor: null,
        },
      },
    });
    expect((await flowctl(['get', 'workers'], { server: api.url })).stdout).toMatch(
      /^ID\s+TYPES\s+CONCURRENCY\s+STATUS\s+LAST-HEARTBEAT\nw1\s+noop,http\s+4\s+online\s+-\n$/,
    );
    const deadLetters = await flowctl(['get', 'dlq'], { server: api.url });
    expect(deadLetters.stdout).toMatch(
      /^ID\s+RUN\s+WORKFLOW\s+TASK\s+TYPE\s+ATTEMPT\s+ERROR\s+DEAD-AT\n9\s+r1\s+etl\s+load\s+http\s+3\s+boom\s+-\n$/,
    );
  });

  it('finds one worker in the list, and exits 1 for one that is not there', async () => {
    api = await startFakeApi({ 'GET /workers': { body: { items: [{ id: 'w1' }], nextCursor: null } } });
    expect((await flowctl(['get', 'worker', 'w1', '-o', 'json'], { server: api.url })).stdout).toBe('{\n  "id": "w1"\n}\n');
    const missing = await flowctl(['get', 'worker', 'w2'], { server: api.url });
    expect(missing).toMatchObject({ code: 1, stderr: 'error: worker "w2" not found\n' });
  });

  it('says so on stderr when there is nothing to list', async () => {
    api = await startFakeApi({ 'GET /workflows': { body: { items: [], nextCursor: null } } });
    expect(await flowctl(['get', 'workflows'], { server: api.url })).toEqual({ code: 0, stdout: '', stderr: 'No workflows found.\n' });
  });

  it('exits 1 with the server message for an unknown run', async () => {
    api = await startFakeApi({
      'GET /runs/nope': { status: 404, body: { statusCode: 404, error: 'Not Found', message: 'run "nope" not found' } },
    });
    expect(await flowctl(['get', 'run', 'nope'], { server: api.url })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: run "nope" not found\n',
    });
  });

  it('exits 2 for run filters on other resources', async () => {
    const result = await flowctl(['get', 'workers', '--status', 'running']);
    expect(result).toMatchObject({ code: 2, stderr: 'error: --status filters runs only, not workers\n' });
    expect(await flowctl(['get', 'workers', '--workflow', 'etl'])).toMatchObject({
      code: 2,
      stderr: 'error: --workflow filters runs and dead letters only, not workers\n',
    });
    expect(await flowctl(['get', 'runs', '--type', 'http'])).toMatchObject({
      code: 2,
      stderr: 'error: --type filters dead letters only, not runs\n',
    });
  });
});
