import { networkInterfaces } from 'node:os';
import { runFlowctl } from '../support/flowctl-cli';
import { FlowctlStack } from '../support/flowctl-stack';
import { Client } from 'pg';
import { freePort } from '../../apps/flowctl/src/dev/embedded-database';
import { TestApi, type ApiResponse } from '../support/api-client';
import { waitFor } from '../support/wait-for';
import { aWorkflow } from '../support/workflow-factory';
import { aSigningKey, nowSeconds, serveJwks, signHs256, signWithKey, unsigned, type Claims } from './jwt-signer';

jest.setTimeout(120_000);

const ADMIN_TOKEN = 'admin-token-for-the-auth-test-0123456789';
const JWT_SECRET = 'a-shared-secret-of-the-identity-provider';
const ISSUER = 'https://idp.example.test';
const AUDIENCE = 'flowctl';

/** A refusal carries the error shape and nothing else: never a list, a run, a token. */
/** The secret half of `fct_<id>_<secret>`; the base64url secret may itself hold `_`. */
function secretOf(token: string): string {
  return token.slice('fct_'.length + 32 + 1);
}

function expectRefused(response: ApiResponse, status: 401 | 403): void {
  expect(response.status).toBe(status);
  const name = status === 401 ? 'Unauthorized' : 'Forbidden';
  expect(response.body).toMatchObject({ statusCode: status, error: name, code: name });
  expect(typeof response.body.message).toBe('string');
  expect(Object.keys(response.body).sort()).toEqual(['code', 'error', 'message', 'statusCode']);
}

async function createToken(api: TestApi, request: Record<string, unknown>): Promise<{ id: string; token: string; name: string }> {
  const created = await api.post('/tokens', request);
  expect(created.status).toBe(201);
  return created.body;
}

describe('authentication, roles and the audit log', () => {
  let stack: FlowctlStack;
  let admin: TestApi;

  beforeAll(async () => {
    stack = await FlowctlStack.start({
      label: 'auth',
      schedulerEnv: {
        FLOWCTL_ADMIN_TOKEN: ADMIN_TOKEN,
        FLOWCTL_JWT_SECRET: JWT_SECRET,
        FLOWCTL_JWT_ISSUER: ISSUER,
        FLOWCTL_JWT_AUDIENCE: AUDIENCE,
      },
    });
    admin = stack.api;
    expect((await admin.applyYaml(aWorkflow({ name: 'hello', tasks: [{ name: 'a' }] }))).status).toBe(200);
    expect(
      (await admin.applyYaml(aWorkflow({ name: 'gated', tasks: [{ name: 'gate', type: 'approval', with: { message: 'go?' } }] }))).status,
    ).toBe(200);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses every API request without a token with 401 and no data', async () => {
    const anonymous = admin.as(undefined);
    for (const path of ['/runs', '/workflows', '/workflows/hello', '/dead-letters', '/workers', '/cluster', '/queues', '/tokens', '/audit'])
      expectRefused(await anonymous.get(path), 401);
    expectRefused(await anonymous.post('/workflows/hello/runs', {}), 401);
    expectRefused(await anonymous.applyYaml(aWorkflow({ name: 'sneaky', tasks: [{ name: 'a' }] })), 401);
    expect((await admin.get('/workflows/sneaky')).status).toBe(404);
  });

  it('answers health, readiness and metrics without a token', async () => {
    const anonymous = admin.as(undefined);
    expect((await anonymous.get('/healthz')).status).toBe(200);
    expect((await anonymous.get('/readyz')).status).toBe(200);
    expect((await anonymous.get('/metrics')).status).toBe(200);
  });

  it('refuses a malformed Authorization header or an unknown token with 401 rather than treating it as anonymous', async () => {
    const response = await fetch(`${stack.url}/api/v1/runs`, { headers: { authorization: `Basic ${ADMIN_TOKEN}` } });
    expectRefused({ status: response.status, body: await response.json() }, 401);
    expectRefused(await admin.as('not-a-token').get('/runs'), 401);
    expectRefused(await admin.as(`${ADMIN_TOKEN}x`).get('/runs'), 401);
  });

  it('shows a created token once; the list and every later answer carry neither the token nor its hash', async () => {
    const created = await createToken(admin, { role: 'viewer', name: 'shown-once' });
    expect(created.token).toMatch(/^fct_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ name: 'shown-once', role: 'viewer', namespaces: ['*'], createdBy: 'admin-token', revokedAt: null });

    const listed = await admin.get('/tokens');
    expect(listed.status).toBe(200);
    const entry = listed.body.items.find((item: { id: string }) => item.id === created.id);
    expect(entry).toMatchObject({ name: 'shown-once', role: 'viewer' });
    expect(entry).not.toHaveProperty('token');
    expect(entry).not.toHaveProperty('tokenHash');
    const secretPart = secretOf(created.token);
    expect(JSON.stringify(listed.body)).not.toContain(secretPart);
    expect(JSON.stringify((await admin.get('/audit?limit=500')).body)).not.toContain(secretPart);

    // The token works, as a viewer.
    expect((await admin.as(created.token).get('/runs')).status).toBe(200);
  });

  it('refuses a tampered token with 401: a changed secret, a changed id, a truncated token', async () => {
    const { token } = await createToken(admin, { role: 'admin', name: 'to-tamper' });
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    const changedSecret = `${token.slice(0, -1)}${last}`;
    const id = token.slice(4, 36);
    const changedId = `fct_${id.slice(0, -1)}${id.at(-1) === '0' ? '1' : '0'}${token.slice(36)}`;
    for (const tampered of [changedSecret, changedId, token.slice(0, -1)]) {
      expectRefused(await admin.as(tampered).get('/runs'), 401);
      expectRefused(await admin.as(tampered).get('/tokens'), 401);
    }
    expect((await admin.as(token).get('/tokens')).status).toBe(200);
  });

  it('refuses an expired token with 401', async () => {
    const { token } = await createToken(admin, { role: 'admin', name: 'short-lived', expiresIn: '1ms' });
    const refused = await admin.as(token).get('/runs');
    expectRefused(refused, 401);
    expect(refused.body.message).toBe('token expired');
  });

  it('refuses a revoked token from the next request on', async () => {
    const { id, token } = await createToken(admin, { role: 'operator', name: 'to-revoke' });
    expect((await admin.as(token).get('/runs')).status).toBe(200);
    const revoked = await admin.request('DELETE', `/tokens/${id}`);
    expect(revoked).toMatchObject({ status: 200, body: { id, revokedAt: expect.any(String) } });
    const refused = await admin.as(token).get('/runs');
    expectRefused(refused, 401);
    expect(refused.body.message).toBe('token revoked');
    expect((await admin.request('DELETE', '/tokens/00000000-0000-7000-8000-000000000000')).status).toBe(404);
  });

  it('refuses a token revoked through another scheduler, and one revoked in the database, from the commit on', async () => {
    const standbyPort = await freePort();
    const standbyProcess = await stack.startScheduler({
      FLOWCTL_ADMIN_TOKEN: ADMIN_TOKEN,
      FLOWCTL_JWT_SECRET: JWT_SECRET,
      FLOWCTL_JWT_ISSUER: ISSUER,
      FLOWCTL_JWT_AUDIENCE: AUDIENCE,
      PORT: String(standbyPort),
    });
    try {
      const standby = new TestApi(`http://127.0.0.1:${standbyPort}`);
      const viaApi = await createToken(admin, { role: 'viewer', name: 'revoked-elsewhere' });
      const viaSql = await createToken(admin, { role: 'viewer', name: 'revoked-in-sql' });
      // Both schedulers have now checked (and may remember) each token.
      for (const api of [admin, standby])
        for (const { token } of [viaApi, viaSql]) expect((await api.as(token).get('/runs')).status).toBe(200);

      expect((await admin.request('DELETE', `/tokens/${viaApi.id}`)).status).toBe(200);
      const db = new Client({ connectionString: stack.database.url });
      await db.connect();
      try {
        await db.query(`UPDATE api_tokens SET revoked_at = now() WHERE id = $1`, [viaSql.id]);
      } finally {
        await db.end();
      }
      for (const api of [admin, standby])
        for (const { token } of [viaApi, viaSql])
          await waitFor(async () => (await api.as(token).get('/runs')).status === 401, {
            timeoutMs: 5_000,
            what: 'the revocation to count',
          });
    } finally {
      standbyProcess.child.kill('SIGTERM');
      await standbyProcess.exited;
    }
  });

  it('rejects token requests it cannot honour with 400', async () => {
    expect((await admin.post('/tokens', { role: 'root' })).status).toBe(400);
    expect((await admin.post('/tokens', { role: 'viewer', namespaces: ['Not A Name'] })).status).toBe(400);
    expect((await admin.post('/tokens', { role: 'viewer', expiresIn: 'soon' })).status).toBe(400);
    expect((await admin.post('/tokens', { role: 'viewer', secret: 'x' })).status).toBe(400);
  });

  describe('roles', () => {
    let viewer: TestApi;
    let operator: TestApi;
    let namespacedAdmin: TestApi;

    beforeAll(async () => {
      viewer = admin.as((await createToken(admin, { role: 'viewer', name: 'role-viewer' })).token);
      operator = admin.as((await createToken(admin, { role: 'operator', name: 'role-operator' })).token);
      namespacedAdmin = admin.as((await createToken(admin, { role: 'admin', name: 'role-ns-admin', namespaces: ['default'] })).token);
    });

    it('lets a viewer read everything but change nothing (403, nothing changed)', async () => {
      const run = await admin.post('/workflows/hello/runs', {});
      expect(run.status).toBe(201);
      for (const path of [
        '/runs',
        `/runs/${run.body.id}`,
        `/runs/${run.body.id}/events`,
        '/workflows',
        '/workflows/hello',
        '/dead-letters',
      ])
        expect((await viewer.get(path)).status).toBe(200);
      for (const path of ['/workers', '/cluster', '/queues']) expect((await viewer.get(path)).status).toBe(200);

      const before = (await admin.get('/runs?workflow=hello')).body.items.length;
      expectRefused(await viewer.post('/workflows/hello/runs', {}), 403);
      expectRefused(await viewer.post(`/runs/${run.body.id}/cancel`), 403);
      expectRefused(await viewer.post(`/runs/${run.body.id}/retry`), 403);
      expectRefused(await viewer.post('/workflows/hello/backfill', { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }), 403);
      expectRefused(await viewer.applyYaml(aWorkflow({ name: 'by-viewer', tasks: [{ name: 'a' }] })), 403);
      expectRefused(await viewer.request('DELETE', '/workflows/hello'), 403);
      expectRefused(await viewer.get('/tokens'), 403);
      expectRefused(await viewer.get('/audit'), 403);
      expect((await admin.get('/runs?workflow=hello')).body.items.length).toBe(before);
      expect((await admin.get('/workflows/by-viewer')).status).toBe(404);
    });

    it('lets an operator start, cancel and approve runs, but not apply or delete workflows nor manage tokens', async () => {
      const started = await operator.post('/workflows/gated/runs', {});
      expect(started.status).toBe(201);
      await waitFor(async () => (await operator.get(`/runs/${started.body.id}/tasks/gate`)).body.status === 'running', {
        what: 'the gate',
      });
      expect((await operator.post(`/runs/${started.body.id}/tasks/gate/approve`, { by: 'operator' })).status).toBe(200);

      const other = await operator.post('/workflows/gated/runs', {});
      expect((await operator.post(`/runs/${other.body.id}/cancel`)).status).toBe(200);

      expectRefused(await operator.applyYaml(aWorkflow({ name: 'by-operator', tasks: [{ name: 'a' }] })), 403);
      expectRefused(await operator.request('DELETE', '/workflows/hello'), 403);
      expectRefused(await operator.post('/tokens', { role: 'admin' }), 403);
      expectRefused(await operator.request('DELETE', `/tokens/00000000-0000-7000-8000-000000000000`), 403);
      expect((await admin.get('/workflows/hello')).status).toBe(200);
    });

    it('lets an admin apply and delete workflows; an admin of one namespace cannot manage tokens or see the cluster', async () => {
      expect((await namespacedAdmin.applyYaml(aWorkflow({ name: 'by-admin', tasks: [{ name: 'a' }] }))).status).toBe(200);
      expect((await namespacedAdmin.request('DELETE', '/workflows/by-admin')).status).toBe(200);
      expectRefused(await namespacedAdmin.post('/tokens', { role: 'admin' }), 403);
      expectRefused(await namespacedAdmin.get('/audit'), 403);
      expectRefused(await namespacedAdmin.get('/workers'), 403);
    });
  });

  describe('JWT (HS256)', () => {
    const claims = (extra: Claims = {}): Claims => ({
      sub: 'alice@example.test',
      iss: ISSUER,
      aud: AUDIENCE,
      iat: nowSeconds(),
      exp: nowSeconds() + 300,
      role: 'operator',
      namespaces: ['default'],
      ...extra,
    });

    it('accepts a valid token with its role and namespaces from the claims', async () => {
      const alice = admin.as(signHs256(claims(), JWT_SECRET));
      expect((await alice.get('/runs')).status).toBe(200);
      const started = await alice.post('/workflows/hello/runs', {});
      expect(started.status).toBe(201);
      expectRefused(await alice.applyYaml(aWorkflow({ name: 'by-alice', tasks: [{ name: 'a' }] })), 403);
      const audit = (await admin.get('/audit?limit=500')).body.items;
      expect(audit).toContainEqual(
        expect.objectContaining({ actor: 'jwt:alice@example.test', action: 'run.start', target: 'hello', outcome: 'succeeded' }),
      );
    });

    it('refuses with 401 a wrong signature, an expired token or one without expiry, a wrong issuer or audience, and alg none', async () => {
      const refusedTokens = [
        signHs256(claims(), 'another-secret-that-is-long-enough'),
        signHs256(claims({ exp: nowSeconds() - 60 }), JWT_SECRET),
        signHs256(claims({ iss: 'https://evil.example.test' }), JWT_SECRET),
        signHs256(claims({ aud: 'someone-else' }), JWT_SECRET),
        unsigned(claims()),
        signHs256(claims({ exp: undefined }), JWT_SECRET),
      ];
      for (const token of refusedTokens) expectRefused(await admin.as(token).get('/runs'), 401);
      const good = signHs256(claims(), JWT_SECRET);
      const [header, , signature] = good.split('.');
      const escalated = `${header}.${Buffer.from(JSON.stringify(claims({ role: 'admin' }))).toString('base64url')}.${signature}`;
      expectRefused(await admin.as(escalated).get('/tokens'), 401);
    });

    it('refuses a token without a valid role claim with 403', async () => {
      expectRefused(await admin.as(signHs256(claims({ role: 'superuser' }), JWT_SECRET)).get('/runs'), 403);
      expectRefused(await admin.as(signHs256(claims({ role: undefined }), JWT_SECRET)).get('/runs'), 403);
    });

    it('scopes a token to the namespaces of its claim', async () => {
      const other = admin.as(signHs256(claims({ role: 'admin', namespaces: ['team-x'] }), JWT_SECRET));
      expect((await other.get('/workflows')).body.items).toEqual([]);
      expect((await other.get('/workflows/hello')).status).toBe(404);
      expectRefused(await other.get('/tokens'), 403);
      const everywhere = admin.as(signHs256(claims({ role: 'admin', namespaces: ['*'] }), JWT_SECRET));
      expect((await everywhere.get('/tokens')).status).toBe(200);
    });
  });

  it('writes every change to the audit log: who, what, target, namespace, outcome; denied attempts too', async () => {
    const auditor = admin.as((await createToken(admin, { role: 'operator', name: 'auditor-op' })).token);
    const weak = admin.as((await createToken(admin, { role: 'viewer', name: 'auditor-viewer' })).token);
    // An approval gate keeps the run open until it is cancelled.
    const started = await auditor.post('/workflows/gated/runs', {});
    expect(started.status).toBe(201);
    expectRefused(await weak.post(`/runs/${started.body.id}/cancel`), 403);
    expect((await auditor.post(`/runs/${started.body.id}/cancel`)).status).toBe(200);
    expect((await auditor.post('/runs/00000000-0000-7000-8000-000000000000/cancel')).status).toBe(404);

    const audit = await admin.get('/audit?limit=500');
    expect(audit.status).toBe(200);
    const rows = audit.body.items as Record<string, unknown>[];
    expect(rows).toContainEqual(
      expect.objectContaining({
        actor: 'auditor-op',
        action: 'run.start',
        target: 'gated',
        namespace: 'default',
        outcome: 'succeeded',
        statusCode: 201,
      }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({
        actor: 'auditor-op',
        action: 'run.cancel',
        target: started.body.id,
        namespace: 'default',
        outcome: 'succeeded',
      }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({
        actor: 'auditor-viewer',
        action: 'run.cancel',
        target: started.body.id,
        outcome: 'denied',
        statusCode: 403,
      }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({
        actor: 'auditor-op',
        action: 'run.cancel',
        target: '00000000-0000-7000-8000-000000000000',
        outcome: 'failed',
        statusCode: 404,
      }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({ actor: 'admin-token', action: 'workflow.apply', target: 'hello', namespace: 'default' }),
    );
    expect(rows).toContainEqual(expect.objectContaining({ actor: 'admin-token', action: 'token.create', target: expect.any(String) }));
    expect(rows).toContainEqual(expect.objectContaining({ actor: 'admin-token', action: 'token.revoke', outcome: 'succeeded' }));
    // Reads are not changes.
    expect(rows.some((row) => String(row.action).startsWith('run.get'))).toBe(false);
    // Newest first, paged by cursor.
    const first = await admin.get('/audit?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await admin.get(`/audit?limit=2&cursor=${first.body.nextCursor}`);
    expect(Number(second.body.items[0].id)).toBeLessThan(Number(first.body.items[1].id));
  });

  it('lets the CLI create a token with FLOWCTL_TOKEN and use it with --token; without one it fails with the reason', async () => {
    const server = ['--server', stack.url];
    const created = await runFlowctl([...server, 'token', 'create', '--role', 'viewer', '--name', 'cli-made'], {
      env: { FLOWCTL_TOKEN: ADMIN_TOKEN },
    });
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^fct_[0-9a-f]{32}_/);
    expect((await runFlowctl([...server, '--token', token, 'get', 'runs'], { env: { FLOWCTL_TOKEN: undefined } })).code).toBe(0);

    const refused = await runFlowctl([...server, '--token', token, 'token', 'list'], { env: { FLOWCTL_TOKEN: undefined } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('needs the admin role');
    const anonymous = await runFlowctl([...server, 'get', 'runs'], { env: { FLOWCTL_TOKEN: undefined } });
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain('authentication required');

    const listed = await runFlowctl([...server, 'token', 'list', '-o', 'json'], { env: { FLOWCTL_TOKEN: ADMIN_TOKEN } });
    expect(JSON.parse(listed.stdout)).toContainEqual(expect.objectContaining({ name: 'cli-made', role: 'viewer' }));
    expect(listed.stdout).not.toContain(secretOf(token));
    const audit = await runFlowctl([...server, 'get', 'audit', '-o', 'json'], { env: { FLOWCTL_TOKEN: ADMIN_TOKEN } });
    expect(JSON.parse(audit.stdout)).toContainEqual(expect.objectContaining({ action: 'token.create', target: 'cli-made' }));
  });

  it('takes ?access_token= on the SSE streams only', async () => {
    const { token } = await createToken(admin, { role: 'viewer', name: 'stream-viewer' });
    const controller = new AbortController();
    try {
      const stream = await fetch(`${stack.url}/api/v1/stream?access_token=${token}`, { signal: controller.signal });
      expect(stream.status).toBe(200);
      expect(stream.headers.get('content-type')).toContain('text/event-stream');
    } finally {
      controller.abort();
    }
    const refused = await fetch(`${stack.url}/api/v1/stream?access_token=${token}x`);
    expect(refused.status).toBe(401);
    expect((await fetch(`${stack.url}/api/v1/runs?access_token=${token}`)).status).toBe(401);
  });
});

describe('JWT verified against a JWKS URL (RS256, ES256)', () => {
  const rsa = aSigningKey('rsa-1', 'RS256');
  const ec = aSigningKey('ec-1', 'ES256');
  const stranger = aSigningKey('rsa-1', 'RS256');
  let jwks: Awaited<ReturnType<typeof serveJwks>>;
  let stack: FlowctlStack;

  beforeAll(async () => {
    jwks = await serveJwks([rsa, ec]);
    stack = await FlowctlStack.start({
      label: 'auth-jwks',
      workers: 0,
      schedulerEnv: {
        FLOWCTL_ADMIN_TOKEN: ADMIN_TOKEN,
        FLOWCTL_JWKS_URL: jwks.url,
        FLOWCTL_JWT_ISSUER: ISSUER,
        FLOWCTL_JWT_ROLE_CLAIM: 'flowctl_role',
        FLOWCTL_JWT_NAMESPACES_CLAIM: 'flowctl_namespaces',
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await jwks?.close();
  });

  const claims = (extra: Claims = {}): Claims => ({
    sub: 'bob',
    iss: ISSUER,
    exp: nowSeconds() + 300,
    flowctl_role: 'viewer',
    flowctl_namespaces: '*',
    ...extra,
  });

  it('accepts RS256 and ES256 tokens signed by the published keys, with the configured claim names', async () => {
    expect((await stack.api.as(signWithKey(claims(), rsa)).get('/runs')).status).toBe(200);
    expect((await stack.api.as(signWithKey(claims(), ec)).get('/workers')).status).toBe(200);
    expectRefused(await stack.api.as(signWithKey(claims(), rsa)).post('/tokens', { role: 'admin' }), 403);
    // The keys are cached: many verifications, few fetches.
    for (let i = 0; i < 5; i++) await stack.api.as(signWithKey(claims(), rsa)).get('/runs');
    expect(jwks.fetches()).toBeLessThanOrEqual(2);
  });

  it('refuses with 401 a token signed by another key under a published kid, an expired one, and an HS256 one', async () => {
    expectRefused(await stack.api.as(signWithKey(claims(), stranger)).get('/runs'), 401);
    expectRefused(await stack.api.as(signWithKey(claims({ exp: nowSeconds() - 10 }), rsa)).get('/runs'), 401);
    expectRefused(await stack.api.as(signHs256(claims(), 'a-shared-secret-of-the-identity-provider')).get('/runs'), 401);
  });
});

describe('with no authentication configured', () => {
  let stack: FlowctlStack;

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'auth-none', workers: 0, schedulerEnv: { HOST: '0.0.0.0' } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('treats every request as admin, listens on loopback only whatever HOST says, and says so', async () => {
    expect((await stack.api.get('/runs')).status).toBe(200);
    expect((await stack.api.get('/tokens')).status).toBe(200);
    expect(stack.output.toString()).toMatch(/no authentication configured.*listens on 127\.0\.0\.1 only \(HOST=0\.0\.0\.0 ignored\)/);
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (outside) {
      const port = new URL(stack.url).port;
      await expect(fetch(`http://${outside.address}:${port}/api/v1/healthz`)).rejects.toThrow();
    }
  });

  it('asks for a token from the moment the first one is created', async () => {
    const created = await stack.api.post('/tokens', { role: 'admin', name: 'first' });
    expect(created.status).toBe(201);
    expectRefused(await stack.api.get('/runs'), 401);
    expect((await stack.api.as(created.body.token).get('/runs')).status).toBe(200);
    // Revoking every token does not open the API again.
    expect((await stack.api.as(created.body.token).request('DELETE', `/tokens/${created.body.id}`)).status).toBe(200);
    expectRefused(await stack.api.get('/runs'), 401);
  });
});
