import { flowctl } from './testing/capture-io';
import { type FakeApi, startFakeApi } from './testing/fake-api-server';

const aRun = (namespace: string) => ({ id: 'r1', namespace, workflow: 'etl', status: 'succeeded', createdAt: new Date().toISOString() });

describe('-n, --namespace', () => {
  let api: FakeApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('names the namespace of what get lists and shows, and of the run it starts', async () => {
    api = await startFakeApi({
      'GET /runs': { body: { items: [], nextCursor: null } },
      'GET /workflows/etl': { body: { name: 'etl', namespace: 'team-a', version: 1 } },
      'GET /dead-letters': { body: { items: [], nextCursor: null } },
      'POST /workflows/etl/runs': { status: 201, body: aRun('team-a') },
      'GET /workflows/etl/schedule': { body: { cron: '* * * * *', timezone: 'UTC', overlap: 'skip', paused: false } },
    });
    for (const args of [
      ['get', 'runs', '-n', 'team-a'],
      ['get', 'workflow', 'etl', '--namespace', 'team-a'],
      ['dlq', 'list', '-n', 'team-a'],
      ['run', 'etl', '-n', 'team-a'],
      ['schedule', 'show', 'etl', '-n', 'team-a'],
    ])
      expect((await flowctl(args, { server: api.url })).code).toBe(0);
    expect(api.requests.map((request) => `${request.method} ${request.path} ${request.query.get('namespace')}`)).toEqual([
      'GET /runs team-a',
      'GET /workflows/etl team-a',
      'GET /dead-letters team-a',
      'POST /workflows/etl/runs team-a',
      'GET /workflows/etl/schedule team-a',
    ]);
  });

  it('comes from FLOWCTL_NAMESPACE when not given, and from the server default when neither is', async () => {
    api = await startFakeApi({ 'GET /runs': { body: { items: [], nextCursor: null } } });
    await flowctl(['get', 'runs'], { server: api.url, env: { FLOWCTL_NAMESPACE: 'team-b' } });
    await flowctl(['get', 'runs', '-n', 'team-c'], { server: api.url, env: { FLOWCTL_NAMESPACE: 'team-b' } });
    await flowctl(['get', 'runs'], { server: api.url });
    expect(api.requests.map((request) => request.query.get('namespace'))).toEqual(['team-b', 'team-c', null]);
  });

  it('finds no run of another namespace by its id, as kubectl finds no pod', async () => {
    api = await startFakeApi({ 'GET /runs/r1': { body: aRun('team-a') } });
    expect((await flowctl(['get', 'run', 'r1', '-n', 'team-a', '-o', 'json'], { server: api.url })).code).toBe(0);
    const elsewhere = await flowctl(['describe', 'run', 'r1', '-n', 'team-b'], { server: api.url });
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.stderr).toContain('run "r1" not found in namespace "team-b"');
  });

  it('is refused for cluster-wide resources, with exit code 2', async () => {
    const result = await flowctl(['get', 'workers', '-n', 'team-a'], { server: 'http://127.0.0.1:9' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('workers are cluster-wide');
  });
});
