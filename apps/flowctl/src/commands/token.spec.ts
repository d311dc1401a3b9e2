import { flowctl } from '../testing/capture-io';
import { type FakeApi, startFakeApi } from '../testing/fake-api-server';

const CREATED = {
  id: '01a2-token',
  name: 'ci',
  role: 'operator',
  namespaces: ['team-a'],
  expiresAt: '2026-12-23T00:00:00.000Z',
  token: 'fct_secret',
};

describe('flowctl token', () => {
  let api: FakeApi;
  beforeEach(async () => {
    api = await startFakeApi({
      'POST /tokens': { status: 201, body: CREATED },
      'GET /tokens': { body: { items: [{ ...CREATED, token: undefined, createdAt: '2026-11-23T00:00:00Z' }], nextCursor: null } },
      'DELETE /tokens/01a2-token': { body: { id: '01a2-token', revokedAt: '2026-11-23T00:00:00Z' } },
      'GET /audit': {
        body: {
          items: [
            {
              id: '1',
              at: '2026-11-23T00:00:00Z',
              actor: 'ci',
              action: 'run.start',
              target: 'etl',
              namespace: 'team-a',
              outcome: 'succeeded',
              statusCode: 201,
              message: null,
            },
          ],
          nextCursor: null,
        },
      },
    });
  });
  afterEach(() => api.close());

  it('creates a token, prints it alone on stdout once and the details on stderr', async () => {
    const result = await flowctl(['token', 'create', '--role', 'operator', '--namespace', 'team-a', '--name', 'ci', '--expires', '30d'], {
      server: api.url,
    });
    expect(result).toMatchObject({ code: 0, stdout: 'fct_secret\n' });
    expect(result.stderr).toContain('only time it is shown');
    expect(JSON.parse(api.requests[0]?.body ?? '')).toEqual({ role: 'operator', namespaces: ['team-a'], name: 'ci', expiresIn: '30d' });
  });

  it('refuses an unknown role or a malformed expiry with exit code 2 before asking the server', async () => {
    expect((await flowctl(['token', 'create', '--role', 'root'], { server: api.url })).code).toBe(2);
    expect((await flowctl(['token', 'create', '--role', 'viewer', '--expires', 'soon'], { server: api.url })).code).toBe(2);
    expect(api.requests).toHaveLength(0);
  });

  it('lists tokens without the token and revokes one by id', async () => {
    const listed = await flowctl(['token', 'list'], { server: api.url });
    expect(listed.stdout).toMatch(/^ID\s+NAME\s+ROLE/);
    expect(listed.stdout).toContain('team-a');
    expect(listed.stdout).not.toContain('fct_secret');
    expect(await flowctl(['token', 'revoke', '01a2-token'], { server: api.url })).toMatchObject({
      code: 0,
      stdout: 'token/01a2-token revoked\n',
    });
  });

  it('sends --token, else FLOWCTL_TOKEN, as a Bearer header', async () => {
    await flowctl(['get', 'audit'], { server: api.url, env: { FLOWCTL_TOKEN: 'from-env' } });
    await flowctl(['--token', 'from-flag', 'get', 'audit'], { server: api.url, env: { FLOWCTL_TOKEN: 'from-env' } });
    await flowctl(['get', 'audit'], { server: api.url });
    expect(api.requests.map((request) => request.headers.authorization)).toEqual(['Bearer from-env', 'Bearer from-flag', undefined]);
  });

  it('prints the audit log as a table', async () => {
    const result = await flowctl(['get', 'audit'], { server: api.url });
    expect(result.stdout).toMatch(/^AT\s+ACTOR\s+ACTION\s+TARGET\s+NAMESPACE\s+OUTCOME/);
    expect(result.stdout).toContain('succeeded (201)');
  });
});
