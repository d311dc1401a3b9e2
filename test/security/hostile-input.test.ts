import { Client } from 'pg';
import { freePort } from '../../apps/flowctl/src/dev/embedded-database';
import { TestApi } from '../support/api-client';
import { FlowctlStack } from '../support/flowctl-stack';
import { aliasBombWorkflow, aWorkflow } from '../support/workflow-factory';

jest.setTimeout(90_000);

const TEN_MB = 10 * 1024 * 1024;

/** A raw request, so a test controls the headers and sees them in the answer. */
async function send(url: string, init: RequestInit = {}) {
  const started = performance.now();
  const response = await fetch(url, init);
  const text = await response.text();
  const elapsedMs = performance.now() - started;
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, headers: response.headers, body, elapsedMs };
}

describe('security: hostile input is refused with 4xx and leaves the scheduler as it was', () => {
  let stack: FlowctlStack;
  let database: Client;
  /** Measured answers, printed once for the report (never asserted: the machine is shared). */
  const timings: string[] = [];

  const storedState = async () =>
    (
      await database.query(
        `SELECT (SELECT count(*) FROM workflows) AS workflows, (SELECT count(*) FROM workflow_versions) AS versions, (SELECT count(*) FROM runs) AS runs`,
      )
    ).rows[0];

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'security_input' });
    database = new Client({ connectionString: stack.database.url });
    await database.connect();
    expect((await stack.api.applyYaml(aWorkflow({ name: 'kept', tasks: [{ name: 'a' }] }))).status).toBe(200);
  });

  afterAll(async () => {
    if (timings.length > 0) console.log(`hostile input answered in:\n${timings.join('\n')}`);
    await database?.end();
    await stack?.stop();
  });

  async function expectRefused(what: string, init: RequestInit, status: number, message: RegExp) {
    const before = await storedState();
    const response = await send(`${stack.url}/api/v1/workflows`, { method: 'PUT', ...init });
    timings.push(`  ${what}: ${response.status} in ${response.elapsedMs.toFixed(1)} ms`);
    expect(response.status).toBe(status);
    expect(response.body).toEqual(
      expect.objectContaining({ statusCode: status, error: expect.any(String), message: expect.stringMatching(message) }),
    );
    expect((await stack.api.get('/healthz')).status).toBe(200);
    expect((await stack.api.get('/readyz')).status).toBe(200);
    expect(await storedState()).toEqual(before);
  }

  it('refuses an alias bomb (billion laughs) with 400', async () => {
    await expectRefused(
      'alias bomb',
      { headers: { 'content-type': 'application/yaml' }, body: aliasBombWorkflow('laughs') },
      400,
      /alias|expands/,
    );
  });

  it('refuses a 10 MB YAML document with 413', async () => {
    const body = aWorkflow({ name: 'huge', tasks: [{ name: 'a', with: { padding: 'PAD' } }] }).replace('PAD', 'x'.repeat(TEN_MB));
    await expectRefused('10 MB YAML', { headers: { 'content-type': 'application/yaml' }, body }, 413, /too large/i);
  });

  it('refuses a 10 MB JSON document with 413', async () => {
    const body = JSON.stringify({
      apiVersion: 'flowctl/v1',
      kind: 'Workflow',
      metadata: { name: 'huge-json' },
      spec: { tasks: [{ name: 'a', type: 'noop', with: { padding: 'x'.repeat(TEN_MB) } }] },
    });
    await expectRefused('10 MB JSON', { headers: { 'content-type': 'application/json' }, body }, 413, /too large/i);
  });

  it('refuses a body of a type the API does not read with 415, before reading it', async () => {
    await expectRefused(
      '10 MB octet-stream',
      { headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(TEN_MB) },
      415,
      /application\/json or application\/yaml/,
    );
  });

  it('refuses an expression over the length limit with 400', async () => {
    const long = `{{ inputs.x == "${'y'.repeat(3_000)}" }}`;
    const yaml = aWorkflow({ name: 'long-expression', spec: { inputs: { x: { type: 'string' } } }, tasks: [{ name: 'a', when: long }] });
    await expectRefused('long expression', { headers: { 'content-type': 'application/yaml' }, body: yaml }, 400, /over the limit of 2000/);
  });

  it('refuses more tasks than the limit with 400', async () => {
    const tasks = Array.from({ length: 10_001 }, (_, i) => ({ name: `t${i}` }));
    await expectRefused(
      '10,001 tasks',
      { headers: { 'content-type': 'application/yaml' }, body: aWorkflow({ name: 'too-many', tasks }) },
      400,
      /over the limit of 10000/,
    );
  });

  it('refuses U+0000, which PostgreSQL cannot store, with 400 and where it is, in a workflow, run inputs and the URL', async () => {
    const yaml = aWorkflow({ name: 'nul', tasks: [{ name: 'a', with: { text: 'NUL' } }] }).replace('text: NUL', 'text: "a\\0b"');
    await expectRefused(
      'U+0000 in YAML',
      { headers: { 'content-type': 'application/yaml' }, body: yaml },
      400,
      /spec\.tasks\[0\]\.with\.text.*U\+0000/,
    );
    const json = {
      apiVersion: 'flowctl/v1',
      kind: 'Workflow',
      metadata: { name: 'nul' },
      spec: { tasks: [{ name: 'a\u0000', type: 'noop' }] },
    };
    await expectRefused('U+0000 in JSON', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) }, 400, /U\+0000/);

    const before = await storedState();
    const start = await send(`${stack.url}/api/v1/workflows/kept/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: { note: 'a\u0000b' }, idempotencyKey: 'nul' }),
    });
    expect(start.status).toBe(400);
    expect(start.body.message).toMatch(/inputs\.note contains the character U\+0000/);
    const filter = await send(`${stack.url}/api/v1/runs?workflow=kept%00`);
    expect(filter.status).toBe(400);
    expect(filter.body.message).toMatch(/the URL contains the character U\+0000/);
    expect(await storedState()).toEqual(before);
    // The refusals are audited, the character escaped: text columns cannot hold it either.
    const audited = await database.query(`SELECT message FROM audit_log WHERE message LIKE '%U+0000%'`);
    expect(audited.rowCount).toBeGreaterThan(0);
  });

  it('answers with security headers, no X-Powered-By and no CORS by default', async () => {
    const response = await send(`${stack.url}/api/v1/workflows`, { headers: { origin: 'https://evil.example' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  describe('on a scheduler with a low rate limit and one CORS origin', () => {
    const LIMITED_ADMIN_TOKEN = 'limited-admin-token-0123456789abcdef';
    let api: TestApi;
    let url: string;

    beforeAll(async () => {
      const port = String(await freePort());
      await stack.startScheduler({
        PORT: port,
        FLOWCTL_RATE_LIMIT: '2/s',
        FLOWCTL_RATE_LIMIT_BURST: '5',
        FLOWCTL_ADMIN_TOKEN: LIMITED_ADMIN_TOKEN,
        FLOWCTL_CORS_ORIGINS: 'https://ops.example.com',
      });
      url = `http://127.0.0.1:${port}`;
      api = new TestApi(url);
    });

    it('answers 429 with Retry-After once a client spends its burst, keeping health endpoints open', async () => {
      const statuses: number[] = [];
      let limited: Awaited<ReturnType<typeof send>> | undefined;
      for (let i = 0; i < 10 && !limited; i++) {
        const response = await send(`${url}/api/v1/workflows`, { headers: { authorization: `Bearer ${LIMITED_ADMIN_TOKEN}` } });
        statuses.push(response.status);
        if (response.status === 429) limited = response;
      }
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(limited).toBeDefined();
      expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(limited!.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.stringContaining('rate limit') });
      for (const path of ['/healthz', '/readyz', '/metrics']) expect((await api.get(path)).status).toBe(200);
    });

    it('gives an accepted token a bucket of its own, and counts made-up tokens against the address', async () => {
      const asToken = (token: string) => send(`${url}/api/v1/workflows`, { headers: { authorization: `Bearer ${token}` } });
      const admin: number[] = [];
      for (let i = 0; i < 10; i++) admin.push((await asToken(LIMITED_ADMIN_TOKEN)).status);
      expect(admin).toContain(429);
      // The admin token spent its own bucket, not the address's.
      expect((await asToken('made-up-0')).status).toBe(401);
      // Were each made-up token its own client, none of these would be throttled.
      const madeUp: number[] = [];
      for (let i = 1; i <= 10; i++) madeUp.push((await asToken(`made-up-${i}`)).status);
      expect(madeUp).toContain(429);
    });

    it('lets the listed origin read the API from a browser and no other', async () => {
      const preflight = await send(`${url}/api/v1/workflows`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://ops.example.com',
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://ops.example.com');
      const other = await send(`${url}/api/v1/healthz`, { headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
