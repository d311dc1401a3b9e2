import { FlowctlStack } from '../support/flowctl-stack';
import type { ApiResponse, TestApi } from '../support/api-client';
import { waitFor } from '../support/wait-for';
import { aWorkflow } from '../support/workflow-factory';

jest.setTimeout(120_000);

const ADMIN_TOKEN = 'admin-token-for-the-namespace-test-0123456789';
const SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
const NEVER_DUE = { cron: '0 0 1 1 *', timezone: 'UTC', overlap: 'allow' };
const BACKFILL_RANGE = { from: '2024-12-31T00:00:00Z', to: '2025-01-02T00:00:00Z' };

/** What one namespace holds: a run waiting on approval, an open dead letter, a scheduled workflow. */
interface Tenant {
  namespace: string;
  gatedRun: string;
  deadLetter: string;
  deadRun: string;
}

async function seedTenant(admin: TestApi, namespace: string): Promise<Tenant> {
  const metadata = { namespace };
  for (const yaml of [
    aWorkflow({ name: 'hello', metadata, tasks: [{ name: 'a' }] }),
    aWorkflow({ name: 'gated', metadata, tasks: [{ name: 'gate', type: 'approval', with: { message: 'go?' } }] }),
    aWorkflow({ name: 'doomed', metadata, tasks: [{ name: 'boom', type: 'fail', retry: { maxAttempts: 1 }, with: { message: 'no' } }] }),
    aWorkflow({ name: 'ticking', metadata, spec: { schedule: NEVER_DUE }, tasks: [{ name: 'a' }] }),
  ])
    expect((await admin.applyYaml(yaml)).status).toBe(200);
  const gated = await admin.post(`/workflows/gated/runs?namespace=${namespace}`, {});
  const doomed = await admin.post(`/workflows/doomed/runs?namespace=${namespace}`, {});
  expect([gated.status, doomed.status]).toEqual([201, 201]);
  const letter = await waitFor(
    async () => (await admin.get(`/dead-letters?namespace=${namespace}`)).body.items.find((item: any) => item.runId === doomed.body.id),
    { what: `the dead letter of ${namespace}` },
  );
  await waitFor(async () => (await admin.get(`/runs/${gated.body.id}/tasks/gate`)).body.status === 'running', { what: 'the gate' });
  return { namespace, gatedRun: gated.body.id, deadLetter: String(letter.id), deadRun: doomed.body.id };
}

/** Not found, exactly as for an object that does not exist: the error shape and nothing of the object. */
function expectHidden(response: ApiResponse): void {
  expect(response.status).toBe(404);
  expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'NotFound' });
  expect(Object.keys(response.body).sort()).toEqual(['code', 'error', 'message', 'statusCode']);
}

function expectForbidden(response: ApiResponse): void {
  expect(response.status).toBe(403);
  expect(response.body).toMatchObject({ statusCode: 403, error: 'Forbidden', code: 'Forbidden' });
  expect(Object.keys(response.body).sort()).toEqual(['code', 'error', 'message', 'statusCode']);
}

/** Reads a stream's frames for as long as `until` has not seen what it waits for. */
async function readSse(url: string, token: string, until: (text: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let text = '';
  try {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    if (response.status !== 200) return `status ${response.status}`;
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      if (until(text)) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return text;
}

describe('namespaces: a token of one namespace can neither see nor touch another', () => {
  let stack: FlowctlStack;
  let admin: TestApi;
  let a: Tenant;
  let b: Tenant;
  /** An admin of team-a only: every refusal below is about the namespace, never the role. */
  let teamA: TestApi;
  let teamAToken: string;
  const covered = new Set<string>();

  /** One route of the API, probed from team-a against team-b's objects (and, where it helps, team-a's own). */
  const route = (method: string, path: string, probe: () => Promise<void>) =>
    it(`${method} ${path}`, async () => {
      covered.add(`${method} ${path}`);
      await probe();
    });

  beforeAll(async () => {
    stack = await FlowctlStack.start({
      label: 'namespaces',
      schedulerEnv: { FLOWCTL_ADMIN_TOKEN: ADMIN_TOKEN, FLOWCTL_SECRET_KEY: SECRET_KEY },
    });
    admin = stack.api;
    [a, b] = [await seedTenant(admin, 'team-a'), await seedTenant(admin, 'team-b')];
    const created = await admin.post('/tokens', { role: 'admin', namespaces: ['team-a'], name: 'team-a-admin' });
    expect(created.status).toBe(201);
    teamAToken = created.body.token;
    teamA = admin.as(teamAToken);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  route('PUT', '/api/v1/workflows', async () => {
    const intoB = await teamA.applyYaml(aWorkflow({ name: 'planted', metadata: { namespace: 'team-b' }, tasks: [{ name: 'a' }] }));
    expectForbidden(intoB);
    expect((await admin.get('/workflows/planted?namespace=team-b')).status).toBe(404);
    const overwrite = await teamA.applyYaml(aWorkflow({ name: 'hello', metadata: { namespace: 'team-b' }, tasks: [{ name: 'x' }] }));
    expectForbidden(overwrite);
    expect((await admin.get('/workflows/hello?namespace=team-b')).body.version).toBe(1);
    expect((await teamA.applyYaml(aWorkflow({ name: 'own', metadata: { namespace: 'team-a' }, tasks: [{ name: 'a' }] }))).status).toBe(200);
  });

  route('GET', '/api/v1/workflows', async () => {
    const listed = await teamA.get('/workflows?limit=500');
    expect(listed.status).toBe(200);
    expect(new Set(listed.body.items.map((item: { namespace: string }) => item.namespace))).toEqual(new Set(['team-a']));
    expectForbidden(await teamA.get('/workflows?namespace=team-b'));
  });

  route('GET', '/api/v1/workflows/{name}', async () => {
    expectHidden(await teamA.get('/workflows/hello?namespace=team-b'));
    // Without ?namespace= a token of one namespace addresses its own.
    expect((await teamA.get('/workflows/hello')).body).toMatchObject({ name: 'hello', namespace: 'team-a' });
  });

  route('GET', '/api/v1/workflows/{name}/versions/{version}', async () => {
    expectHidden(await teamA.get('/workflows/hello/versions/1?namespace=team-b'));
    expect((await teamA.get('/workflows/hello/versions/1')).status).toBe(200);
  });

  route('DELETE', '/api/v1/workflows/{name}', async () => {
    expectHidden(await teamA.request('DELETE', '/workflows/hello?namespace=team-b'));
    expect((await admin.get('/workflows/hello?namespace=team-b')).status).toBe(200);
  });

  route('POST', '/api/v1/workflows/{name}/runs', async () => {
    const before = (await admin.get('/runs?namespace=team-b&workflow=hello')).body.items.length;
    expectHidden(await teamA.post('/workflows/hello/runs?namespace=team-b', {}));
    expectHidden(await teamA.post('/workflows/hello/runs', { namespace: 'team-b' }));
    expect((await admin.get('/runs?namespace=team-b&workflow=hello')).body.items.length).toBe(before);
    expect((await teamA.post('/workflows/hello/runs', {})).body.namespace).toBe('team-a');
  });

  route('GET', '/api/v1/workflows/{name}/schedule', async () => {
    expectHidden(await teamA.get('/workflows/ticking/schedule?namespace=team-b'));
    expect((await teamA.get('/workflows/ticking/schedule')).status).toBe(200);
  });

  route('POST', '/api/v1/workflows/{name}/schedule/pause', async () => {
    expectHidden(await teamA.post('/workflows/ticking/schedule/pause?namespace=team-b'));
    expect((await admin.get('/workflows/ticking/schedule?namespace=team-b')).body.paused).toBe(false);
  });

  route('POST', '/api/v1/workflows/{name}/schedule/resume', async () => {
    await admin.post('/workflows/ticking/schedule/pause?namespace=team-b');
    expectHidden(await teamA.post('/workflows/ticking/schedule/resume?namespace=team-b'));
    expect((await admin.get('/workflows/ticking/schedule?namespace=team-b')).body.paused).toBe(true);
    await admin.post('/workflows/ticking/schedule/resume?namespace=team-b');
  });

  route('POST', '/api/v1/workflows/{name}/backfill', async () => {
    expectHidden(await teamA.post('/workflows/ticking/backfill?namespace=team-b', BACKFILL_RANGE));
    expect((await admin.get('/runs?namespace=team-b&workflow=ticking')).body.items).toEqual([]);
  });

  route('GET', '/api/v1/runs', async () => {
    const listed = await teamA.get('/runs?limit=500');
    expect(listed.status).toBe(200);
    expect(listed.body.items.length).toBeGreaterThan(0);
    expect(listed.body.items.every((run: { namespace: string }) => run.namespace === 'team-a')).toBe(true);
    expect(listed.body.items.map((run: { id: string }) => run.id)).not.toContain(b.gatedRun);
    expectForbidden(await teamA.get('/runs?namespace=team-b'));
  });

  route('GET', '/api/v1/runs/{id}', async () => {
    expectHidden(await teamA.get(`/runs/${b.gatedRun}`));
    expect((await teamA.get(`/runs/${a.gatedRun}`)).status).toBe(200);
  });

  route('GET', '/api/v1/runs/{id}/events', async () => {
    expectHidden(await teamA.get(`/runs/${b.gatedRun}/events`));
    expect((await teamA.get(`/runs/${a.gatedRun}/events`)).status).toBe(200);
  });

  route('GET', '/api/v1/runs/{id}/tasks/{name}', async () => {
    expectHidden(await teamA.get(`/runs/${b.gatedRun}/tasks/gate`));
    expect((await teamA.get(`/runs/${a.gatedRun}/tasks/gate`)).status).toBe(200);
  });

  route('GET', '/api/v1/runs/{id}/tasks/{name}/instances', async () => {
    expectHidden(await teamA.get(`/runs/${b.gatedRun}/tasks/gate/instances`));
    expect((await teamA.get(`/runs/${a.gatedRun}/tasks/gate/instances`)).status).toBe(200);
  });

  route('GET', '/api/v1/runs/{id}/tasks/{name}/logs', async () => {
    expectHidden(await teamA.get(`/runs/${b.gatedRun}/tasks/gate/logs`));
    expect((await teamA.get(`/runs/${a.gatedRun}/tasks/gate/logs`)).status).toBe(200);
  });

  route('GET', '/api/v1/runs/{id}/tasks/{name}/logs/stream', async () => {
    const headers = { authorization: `Bearer ${teamAToken}` };
    const hidden = await fetch(`${stack.url}/api/v1/runs/${b.gatedRun}/tasks/gate/logs/stream`, { headers });
    expect(hidden.status).toBe(404);
    const controller = new AbortController();
    const own = await fetch(`${stack.url}/api/v1/runs/${a.gatedRun}/tasks/gate/logs/stream`, { headers, signal: controller.signal });
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toMatch(/^text\/event-stream/);
    controller.abort();
  });

  route('GET', '/api/v1/insights', async () => {
    const own = await teamA.get('/insights?since=1h');
    expect(own.status).toBe(200);
    expect(own.body.runs.started).toBeGreaterThanOrEqual(1);
    expect((own.body.workflows as { namespace: string }[]).every((row) => row.namespace === 'team-a')).toBe(true);
    expect((await teamA.get('/insights?since=1h&namespace=team-b')).status).toBe(403);
  });

  route('GET', '/api/v1/runs/{id}/notifications', async () => {
    expectHidden(await teamA.get(`/runs/${b.gatedRun}/notifications`));
    expect((await teamA.get(`/runs/${a.gatedRun}/notifications`)).status).toBe(200);
  });

  route('POST', '/api/v1/events', async () => {
    expectForbidden(await teamA.post('/events?namespace=team-b', { name: 'probe.sent', id: 'from-team-a', data: {} }));
    expect((await admin.get('/events?namespace=team-b&name=probe.sent')).body.items).toEqual([]);
    const own = await teamA.post('/events', { name: 'probe.sent', id: 'own', data: {} });
    expect(own.status).toBeLessThan(300);
    expect(own.body).toMatchObject({ namespace: 'team-a', id: 'own' });
  });

  route('GET', '/api/v1/events', async () => {
    expect((await admin.post('/events?namespace=team-b', { name: 'probe.b', id: 'secret-of-b', data: {} })).status).toBeLessThan(300);
    const listed = await teamA.get('/events?limit=500');
    expect(listed.status).toBe(200);
    expect((listed.body.items as { namespace: string }[]).every((item) => item.namespace === 'team-a')).toBe(true);
    expectForbidden(await teamA.get('/events?namespace=team-b'));
  });

  route('GET', '/api/v1/events/{id}', async () => {
    expect((await admin.post('/events?namespace=team-b', { name: 'probe.b', id: 'hidden-b', data: {} })).status).toBeLessThan(300);
    expectHidden(await teamA.get('/events/hidden-b?namespace=team-b'));
    expectHidden(await teamA.get('/events/hidden-b'));
  });

  route('POST', '/api/v1/hooks/{name}', async () => {
    // Public and signed: a hook no workflow of the namespace declares is a 404, and starts nothing.
    const response = await fetch(`${stack.url}/api/v1/hooks/undeclared?namespace=team-b`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(404);
  });

  route('POST', '/api/v1/runs/{id}/cancel', async () => {
    expectHidden(await teamA.post(`/runs/${b.gatedRun}/cancel`));
    expect((await admin.get(`/runs/${b.gatedRun}`)).body.status).toBe('running');
  });

  route('POST', '/api/v1/runs/{id}/retry', async () => {
    expectHidden(await teamA.post(`/runs/${b.deadRun}/retry`));
    expect((await admin.get(`/runs/${b.deadRun}`)).body.status).toBe('failed');
  });

  route('POST', '/api/v1/runs/{id}/tasks/{name}/approve', async () => {
    expectHidden(await teamA.post(`/runs/${b.gatedRun}/tasks/gate/approve`, { by: 'intruder' }));
    expect((await admin.get(`/runs/${b.gatedRun}/tasks/gate`)).body.status).toBe('running');
  });

  route('POST', '/api/v1/runs/{id}/tasks/{name}/reject', async () => {
    expectHidden(await teamA.post(`/runs/${b.gatedRun}/tasks/gate/reject`, {}));
    expect((await admin.get(`/runs/${b.gatedRun}/tasks/gate`)).body.status).toBe('running');
  });

  route('GET', '/api/v1/dead-letters', async () => {
    const listed = await teamA.get('/dead-letters?limit=500');
    expect(listed.body.items.map((letter: { id: string }) => String(letter.id))).toEqual([a.deadLetter]);
    expectForbidden(await teamA.get('/dead-letters?namespace=team-b'));
  });

  route('GET', '/api/v1/dead-letters/{id}', async () => {
    expectHidden(await teamA.get(`/dead-letters/${b.deadLetter}`));
    expect((await teamA.get(`/dead-letters/${a.deadLetter}`)).status).toBe(200);
  });

  route('POST', '/api/v1/dead-letters/{id}/requeue', async () => {
    expectHidden(await teamA.post(`/dead-letters/${b.deadLetter}/requeue`));
    expect((await admin.get(`/dead-letters/${b.deadLetter}`)).body.requeuedAt).toBeNull();
  });

  /** team-b's secret, set by the cluster admin; team-a's probes must neither list, replace nor delete it. */
  const seedTeamBSecret = async () => {
    expect((await admin.request('PUT', '/secrets/TEAM_B_TOKEN?namespace=team-b', { value: 'team-b-value' })).status).toBe(200);
    return (await admin.get('/secrets?namespace=team-b')).body.items.find((item: { name: string }) => item.name === 'TEAM_B_TOKEN');
  };

  route('PUT', '/api/v1/secrets/{name}', async () => {
    const before = await seedTeamBSecret();
    expectForbidden(await teamA.request('PUT', '/secrets/TEAM_B_TOKEN?namespace=team-b', { value: 'planted' }));
    const after = (await admin.get('/secrets?namespace=team-b')).body.items.find((item: { name: string }) => item.name === 'TEAM_B_TOKEN');
    expect(after.updatedAt).toBe(before.updatedAt);
    // Without ?namespace= a token of one namespace sets its own.
    expect((await teamA.request('PUT', '/secrets/TEAM_B_TOKEN', { value: 'team-a-value' })).body).toMatchObject({ namespace: 'team-a' });
  });

  route('GET', '/api/v1/secrets', async () => {
    await seedTeamBSecret();
    expectForbidden(await teamA.get('/secrets?namespace=team-b'));
    const own = await teamA.get('/secrets');
    expect(own.status).toBe(200);
    expect(new Set(own.body.items.map((item: { namespace: string }) => item.namespace))).not.toContain('team-b');
    // Roles: a viewer lists names, only an admin sets or deletes.
    for (const role of ['viewer', 'operator']) {
      const created = await admin.post('/tokens', { role, namespaces: ['team-a'], name: `team-a-secrets-${role}` });
      const other = admin.as(created.body.token);
      expect((await other.get('/secrets')).status).toBe(200);
      expect((await other.request('PUT', '/secrets/BY_VIEWER', { value: 'v' })).status).toBe(403);
      expect((await other.request('DELETE', '/secrets/TEAM_B_TOKEN')).status).toBe(403);
    }
  });

  route('DELETE', '/api/v1/secrets/{name}', async () => {
    await seedTeamBSecret();
    expectForbidden(await teamA.request('DELETE', '/secrets/TEAM_B_TOKEN?namespace=team-b'));
    expect((await admin.get('/secrets?namespace=team-b')).body.items.map((item: { name: string }) => item.name)).toContain('TEAM_B_TOKEN');
  });

  route('GET', '/api/v1/runs/{id}/stream', async () => {
    const hidden = await fetch(`${stack.url}/api/v1/runs/${b.gatedRun}/stream`, { headers: { authorization: `Bearer ${teamAToken}` } });
    expect(hidden.status).toBe(404);
    expect(await hidden.text()).not.toContain('"snapshot"');
    const own = await readSse(`${stack.url}/api/v1/runs/${a.gatedRun}/stream`, teamAToken, (text) => text.includes('event: snapshot'));
    expect(own).toContain(a.gatedRun);
  });

  route('GET', '/api/v1/stream', async () => {
    // team-b's run changes first, then team-a's: the team-a feed shows the second and never the first.
    let aRun = '';
    let received = '';
    const frames = readSse(`${stack.url}/api/v1/stream`, teamAToken, (text) => {
      received = text;
      return aRun !== '' && text.includes(aRun);
    });
    // `ready` comes once the stream is subscribed: every change after it is either shown or filtered.
    await waitFor(() => received.includes('event: ready'), { what: 'the stream to be ready' });
    const bRun: string = (await admin.post('/workflows/hello/runs?namespace=team-b', {})).body.id;
    await stack.waitForRun(bRun);
    aRun = (await admin.post('/workflows/hello/runs?namespace=team-a', {})).body.id;
    const text = await frames;
    expect(text).toContain(aRun);
    expect(text).not.toContain(bRun);
    expect(text).not.toContain('"team-b"');
    expect(await readSse(`${stack.url}/api/v1/stream?namespace=team-b`, teamAToken, () => true)).toBe('status 403');
  });

  for (const path of ['/api/v1/workers', '/api/v1/cluster', '/api/v1/queues'])
    route('GET', path, async () => {
      // Cluster-wide: workers and queues belong to no namespace, so only a token of every namespace sees them.
      expectForbidden(await teamA.get(path.replace('/api/v1', '')));
      const viewerOfAll = admin.as(
        (await admin.post('/tokens', { role: 'viewer', name: `all-viewer-${path.split('/').pop()}` })).body.token,
      );
      expect((await viewerOfAll.get(path.replace('/api/v1', ''))).status).toBe(200);
    });

  for (const [method, path] of [
    ['POST', '/api/v1/tokens'],
    ['GET', '/api/v1/tokens'],
    ['DELETE', '/api/v1/tokens/{id}'],
    ['GET', '/api/v1/audit'],
  ] as const)
    route(method, path, async () => {
      const concrete = path.replace('/api/v1', '').replace('{id}', '00000000-0000-7000-8000-000000000000');
      expectForbidden(await teamA.request(method, concrete, method === 'POST' ? { role: 'admin' } : undefined));
    });

  /** A task of team-b leased by a worker of every namespace, for the worker routes to probe from team-a. */
  let teamBLease: Promise<string> | undefined;
  const leaseOfTeamB = () =>
    (teamBLease ??= (async () => {
      const yaml = aWorkflow({ name: 'http-job', metadata: { namespace: 'team-b' }, tasks: [{ name: 'job', type: 'ns-http' }] });
      expect((await admin.applyYaml(yaml)).status).toBe(200);
      expect((await admin.post('/workflows/http-job/runs?namespace=team-b', {})).status).toBe(201);
      // team-a's poll comes first and waits; the task is team-b's, so it is not handed to it.
      const fromA = await teamA.post('/worker/poll', { workerId: 'team-a-worker', types: ['ns-http'], waitMs: 1_000 });
      expect(fromA).toEqual({ status: 200, body: { tasks: [] } });
      const fromAdmin = await admin.post('/worker/poll', { workerId: 'all-worker', types: ['ns-http'], waitMs: 10_000 });
      expect(fromAdmin.body.tasks).toHaveLength(1);
      return fromAdmin.body.tasks[0].leaseId as string;
    })());

  route('POST', '/api/v1/worker/poll', async () => {
    await leaseOfTeamB();
  });

  for (const what of ['heartbeat', 'complete', 'fail', 'logs'])
    route('POST', `/api/v1/worker/tasks/{leaseId}/${what}`, async () => {
      const leaseId = await leaseOfTeamB();
      const body = {
        heartbeat: {},
        complete: { output: 1 },
        fail: { error: { type: 'X', message: 'x' } },
        logs: { lines: [{ message: 'x' }] },
      }[what];
      expectHidden(await teamA.post(`/worker/tasks/${leaseId}/${what}`, body));
    });

  route('POST', '/api/v1/worker/reports', async () => {
    const leaseId = await leaseOfTeamB();
    // Answered 200, one result a report: another namespace's lease is gone, as a forged one is, and left alone.
    const answered = await teamA.post('/worker/reports', {
      reports: [
        { leaseId, outcome: 'completed', output: 1 },
        { leaseId, outcome: 'failed', error: { type: 'X', message: 'x' } },
      ],
    });
    expect(answered.status).toBe(200);
    expect(answered.body.results).toEqual([
      { leaseId, status: 'gone', message: 'no such lease' },
      { leaseId, status: 'gone', message: 'no such lease' },
    ]);
  });

  for (const path of ['/api/v1/healthz', '/api/v1/readyz', '/api/v1/metrics'])
    route('GET', path, async () => {
      // Public: they say nothing of any namespace.
      expect((await admin.as(undefined).get(path.replace('/api/v1', ''))).status).toBe(200);
    });

  it('has covered every route the API publishes', async () => {
    const document = await fetch(`${stack.url}/api/docs/openapi.json`).then((response) => response.json());
    const published = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(published.length).toBeGreaterThan(20);
    expect(published.filter((operation) => !covered.has(operation))).toEqual([]);
  });

  it('leaves team-b untouched after all of the above', async () => {
    expect((await admin.get(`/runs/${b.gatedRun}`)).body.status).toBe('running');
    expect((await admin.get(`/dead-letters/${b.deadLetter}`)).body.requeuedAt).toBeNull();
    const audit = (await admin.get('/audit?limit=500')).body.items as { actor: string; outcome: string; namespace: string | null }[];
    expect(
      audit.filter((row) => row.actor === 'team-a-admin' && row.outcome === 'succeeded').every((row) => row.namespace === 'team-a'),
    ).toBe(true);
  });
});
