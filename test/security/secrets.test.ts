import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { startNodeProcess } from '../../apps/flowctl/src/dev/child-process';
import { freePort } from '../../apps/flowctl/src/dev/embedded-database';
import { runFlowctl } from '../support/flowctl-cli';
import { FlowctlStack, SCHEDULER_MAIN } from '../support/flowctl-stack';
import { createTestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { aWorkflow } from '../support/workflow-factory';

const KEY = randomBytes(32).toString('base64');
/** Unique, so finding it anywhere can only mean a leak. */
const VALUE = `s3cr3t-${randomBytes(12).toString('hex')}`;
/** Every form a leak could take that the search must catch. */
const FORMS = [VALUE, Buffer.from(VALUE).toString('base64'), Buffer.from(VALUE).toString('base64url'), Buffer.from(VALUE).toString('hex')];

const leaksIn = (text: string): string[] => FORMS.filter((form) => text.includes(form));

describe('secrets', () => {
  let stack: FlowctlStack;

  beforeAll(async () => {
    const env = { FLOWCTL_SECRET_KEY: KEY };
    stack = await FlowctlStack.start({
      label: 'secrets',
      schedulerEnv: env,
      workerEnv: { ...env, FLOWCTL_SHELL_ENABLED: 'true', WORKER_TYPES: 'noop,fail,shell' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const setSecret = (name: string, value: string) => stack.api.request('PUT', `/secrets/${name}`, { value });
  const startRun = async (workflow: string) => {
    const started = await stack.api.post(`/workflows/${workflow}/runs`, {});
    expect(started.status).toBe(201);
    return stack.waitForRun(started.body.id);
  };
  const taskOf = (run: { tasks: { name: string }[] }, name: string): any => run.tasks.find((task) => task.name === name);

  it('keeps a secret out of every API response, event, log line, database row and queue key of a run that used it', async () => {
    const set = await runFlowctl(['--server', stack.url, 'secret', 'set', 'API_TOKEN'], { stdin: `${VALUE}\n` });
    expect(set).toMatchObject({ code: 0, stdout: 'secret/API_TOKEN created\n' });
    expect(leaksIn(set.stdout + set.stderr)).toEqual([]);

    stack.startNodeScript('use-secret', join(__dirname, 'fixtures', 'secret-using.worker.js'), { FLOWCTL_SECRET_KEY: KEY });
    await waitFor(async () => (await stack.api.get('/workers')).body.items.some((w: any) => w.types.includes('use-secret')), {
      timeoutMs: 15_000,
      what: 'the custom worker to register',
    });

    const applied = await stack.api.applyYaml(
      aWorkflow({
        name: 'uses-secret',
        tasks: [
          {
            name: 'echo',
            type: 'shell',
            with: {
              command: 'echo "token=$TOKEN"; printf "b64=%s\\n" "$(printf %s "$TOKEN" | base64)"; echo "err=$TOKEN" >&2',
              env: { TOKEN: '{{ secrets.API_TOKEN }}' },
            },
          },
          // The key itself stays in the worker: a shell task does not inherit it.
          { name: 'key-probe', type: 'shell', with: { command: 'printf %s "${FLOWCTL_SECRET_KEY:-unset}"' } },
          { name: 'header', type: 'noop', with: { auth: 'Bearer {{ secrets.API_TOKEN }}', plain: 'visible' } },
          {
            name: 'shell-fails',
            type: 'shell',
            with: { command: 'echo "could not log in with $TOKEN" >&2; exit 3', env: { TOKEN: '{{ secrets.API_TOKEN }}' } },
            retry: { maxAttempts: 1 },
          },
          // Logs, checkpoints, throws and returns its secret through the SDK; attempt 2 gets attempt 1's checkpoint.
          {
            name: 'careless',
            type: 'use-secret',
            with: { token: '{{ secrets.API_TOKEN }}' },
            retry: { maxAttempts: 2, initialInterval: '100ms' },
          },
          // Attempt 2 is sent from the stored row (a retry), not from the first render: the slots must survive.
          {
            name: 'throws',
            type: 'fail',
            with: { message: 'bad token {{ secrets.API_TOKEN }}' },
            retry: { maxAttempts: 2, initialInterval: '100ms' },
          },
        ],
      }),
    );
    expect(applied.status).toBe(200);

    const run = await startRun('uses-secret');
    expect(run.status).toBe('failed');

    // The worker had the value: its masked echoes prove it, and the stored input only shows where it went.
    const echo = taskOf(run, 'echo');
    expect(echo.status).toBe('succeeded');
    expect(echo.output.stdout).toBe(`token=***\nb64=***\n`);
    expect(echo.output.stderr).toBe('err=***\n');
    expect(echo.input.env).toEqual({ TOKEN: '[secret:API_TOKEN]' });
    expect(taskOf(run, 'key-probe').output.stdout).toBe('unset');
    expect(taskOf(run, 'header').output).toEqual({ auth: 'Bearer ***', plain: 'visible' });
    expect(taskOf(run, 'header').input).toEqual({ auth: 'Bearer [secret:API_TOKEN]', plain: 'visible' });
    expect(taskOf(run, 'shell-fails').error.message).toBe('command exited with code 3: could not log in with ***');
    const throws = taskOf(run, 'throws');
    expect(throws).toMatchObject({ status: 'dead', attempt: 2 });
    expect(throws.error.message).toBe('bad token ***');

    const careless = taskOf(run, 'careless');
    expect(careless).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(careless.output).toEqual({ token: '***', lastHeartbeatDetails: { checkpoint: '***' }, length: VALUE.length });
    const carelessEvents = (await stack.api.get(`/runs/${run.id}/events?limit=500`)).body.items.filter((e: any) => e.task === 'careless');
    expect(JSON.stringify(carelessEvents)).toContain('rejected token ***');

    // Every API answer about the run, its tasks, events, dead letters and the secrets themselves.
    const responses: unknown[] = [];
    for (const path of [
      `/runs/${run.id}`,
      `/runs/${run.id}/events?limit=500`,
      '/runs?limit=500',
      '/dead-letters?limit=500',
      '/secrets',
      '/workers',
      ...run.tasks.map((task: { name: string }) => `/runs/${run.id}/tasks/${encodeURIComponent(task.name)}`),
    ]) {
      const response = await stack.api.get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      responses.push(response.body);
    }
    // One page each holds everything: nothing of the run was left unsearched on a later page.
    for (const index of [1, 2, 3]) expect((responses[index] as { nextCursor: unknown }).nextCursor).toBeNull();
    expect((responses[1] as { items: unknown[] }).items.length).toBeGreaterThan(10);
    const apiText = JSON.stringify(responses);
    expect(apiText).toContain('[secret:API_TOKEN]');
    expect(apiText).toContain('bad token ***');
    expect(leaksIn(apiText)).toEqual([]);
    expect(apiText).not.toContain(KEY);
    const secrets = responses[4] as { items: Record<string, unknown>[] };
    expect(secrets.items.map((item) => Object.keys(item).sort())).toEqual([['createdAt', 'keyId', 'name', 'namespace', 'updatedAt']]);

    // Every log line of the scheduler and the worker (the tail holds them all: none dropped).
    expect(stack.output.linesWritten).toBeLessThan(400);
    const logs = stack.output.toString();
    expect(logs).toContain('[worker]');
    expect(logs).toContain('using token ***');
    expect(leaksIn(logs)).toEqual([]);
    expect(logs).not.toContain(KEY);

    // Every row of every table: the secret only as ciphertext.
    const db = new Client({ connectionString: stack.database.url });
    await db.connect();
    try {
      const tables = await db.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`);
      expect(tables.rows.map((table) => table.name)).toEqual(
        expect.arrayContaining(['secrets', 'task_runs', 'run_events', 'dead_letters']),
      );
      for (const { name } of tables.rows) {
        const rows = await db.query<{ row: string }>(`SELECT t::text AS row FROM "${name}" t`);
        expect({ table: name, leaks: leaksIn(rows.rows.map((r) => r.row).join('\n')) }).toEqual({ table: name, leaks: [] });
      }
      const stored = await db.query<{ keyId: string; ciphertext: Buffer; nonce: Buffer }>(
        `SELECT key_id AS "keyId", ciphertext, nonce FROM secrets WHERE name = 'API_TOKEN'`,
      );
      expect(stored.rows).toHaveLength(1);
      expect(stored.rows[0]!.nonce).toHaveLength(12);
      expect(stored.rows[0]!.ciphertext.length).toBe(Buffer.byteLength(VALUE) + 16);
      expect(leaksIn(stored.rows[0]!.ciphertext.toString('latin1'))).toEqual([]);
      const slots = await db.query<{ slots: unknown }>(`SELECT secret_slots AS slots FROM task_runs WHERE name = 'throws'`);
      expect(slots.rows[0]!.slots).toEqual([{ path: ['message'], parts: ['bad token ', { secret: 'API_TOKEN' }] }]);
    } finally {
      await db.end();
    }

    // Every key of this stack's queues in Redis: jobs carry the ciphertext, never the value.
    const redis = new Redis(stack.env.REDIS_URL!);
    try {
      let cursor = '0';
      let dumped = '';
      let keys = 0;
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `{${stack.env.FLOWCTL_QUEUE_PREFIX}}*`, 'COUNT', 1000);
        cursor = next;
        for (const key of found) {
          keys += 1;
          const type = await redis.type(key);
          if (type === 'string') dumped += await redis.get(key);
          else if (type === 'hash') dumped += JSON.stringify(await redis.hgetall(key));
          else if (type === 'list') dumped += JSON.stringify(await redis.lrange(key, 0, -1));
          else if (type === 'zset') dumped += JSON.stringify(await redis.zrange(key, 0, -1));
          else if (type === 'set') dumped += JSON.stringify(await redis.smembers(key));
          else if (type === 'stream') dumped += JSON.stringify(await redis.xrange(key, '-', '+'));
        }
      } while (cursor !== '0');
      expect(keys).toBeGreaterThan(0);
      // Job data is JSON inside a Redis hash: the sealed value is there, the value is not.
      expect(dumped).toContain('secretSlots');
      expect(dumped).toContain('ciphertext');
      expect(leaksIn(dumped)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('fails a task that reads a missing secret at once, naming it, without using its retries', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'missing-secret',
        tasks: [
          { name: 'call', type: 'noop', with: { token: '{{ secrets.NOT_SET }}' }, retry: { maxAttempts: 3, initialInterval: '100ms' } },
        ],
      }),
    );
    const run = await startRun('missing-secret');
    expect(run.status).toBe('failed');
    expect(taskOf(run, 'call')).toMatchObject({
      attempt: 1,
      error: { type: 'SecretNotFound', message: 'secret NOT_SET is not set in namespace default', nonRetryable: true },
    });
  });

  it('refuses a ciphertext moved to another secret row', async () => {
    expect((await setSecret('ORIGINAL', 'original-value')).status).toBe(200);
    expect((await setSecret('TARGET', 'target-value')).status).toBe(200);
    const db = new Client({ connectionString: stack.database.url });
    await db.connect();
    try {
      await db.query(
        `UPDATE secrets t SET nonce = s.nonce, ciphertext = s.ciphertext, key_id = s.key_id FROM secrets s WHERE s.name = 'ORIGINAL' AND t.name = 'TARGET'`,
      );
    } finally {
      await db.end();
    }
    await stack.api.applyYaml(
      aWorkflow({ name: 'moved-secret', tasks: [{ name: 'call', type: 'noop', with: { token: '{{ secrets.TARGET }}' } }] }),
    );
    const run = await startRun('moved-secret');
    const call = taskOf(run, 'call');
    expect(call.status).toBe('failed');
    expect(call.error).toMatchObject({ type: 'SecretUnreadable', nonRetryable: true });
    expect(call.error.message).toMatch(
      /^secret TARGET could not be decrypted with key [0-9a-f]{16}: the key is wrong or the value was altered or moved/,
    );
    expect(JSON.stringify(run)).not.toContain('original-value');
  });

  it('checks secret references at apply time and answers the secrets API with 4xx for bad requests', async () => {
    const badWhen = await stack.api.applyYaml(aWorkflow({ name: 'bad-when', tasks: [{ name: 'a', when: '{{ secrets.API_TOKEN }}' }] }));
    expect(badWhen.status).toBe(400);
    expect(badWhen.body.message).toContain("when cannot read secrets: only a task's with can");
    const computed = await stack.api.applyYaml(
      aWorkflow({ name: 'bad-expr', tasks: [{ name: 'a', with: { x: "{{ secrets.A == 'x' }}" } }] }),
    );
    expect(computed.status).toBe(400);
    expect(computed.body.message).toContain('a secret can only be used alone, as {{ secrets.A }}');

    expect((await stack.api.request('PUT', '/secrets/bad-name', { value: 'v' })).status).toBe(400);
    expect((await stack.api.request('PUT', '/secrets/OK', { value: '' })).status).toBe(400);
    expect((await stack.api.request('PUT', '/secrets/OK', { value: 42 })).status).toBe(400);
    expect((await stack.api.request('PUT', '/secrets/OK', ['v'])).status).toBe(400);
    expect((await stack.api.request('PUT', '/secrets/OK?namespace=Not_A_Name', { value: 'v' })).status).toBe(400);
    expect((await stack.api.request('DELETE', '/secrets/NOPE')).status).toBe(404);
    expect((await setSecret('GONE', 'v')).body).toEqual({ namespace: 'default', name: 'GONE', result: 'created' });
    expect((await setSecret('GONE', 'w')).body.result).toBe('updated');
    expect((await stack.api.request('DELETE', '/secrets/GONE')).status).toBe(200);
    expect((await stack.api.get('/secrets')).body.items.map((item: { name: string }) => item.name)).not.toContain('GONE');
  });

  it('answers 409 naming FLOWCTL_SECRET_KEY when the scheduler has no key', async () => {
    const port = await freePort();
    await stack.startScheduler({ PORT: String(port), FLOWCTL_SECRET_KEY: '' });
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/secrets/X`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: 'v' }),
    });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { message: string }).message).toMatch(/^secrets need FLOWCTL_SECRET_KEY/);
    const standby = stack.processesNamed('scheduler').at(-1)!;
    await standby.stop(5_000);
  });

  it('refuses to start a scheduler with a malformed key', async () => {
    const database = await createTestDatabase('secrets_badkey');
    try {
      const output: string[] = [];
      const scheduler = startNodeProcess(
        'scheduler',
        SCHEDULER_MAIN,
        { DATABASE_URL: database.url, REDIS_URL: stack.env.REDIS_URL, PORT: String(await freePort()), FLOWCTL_SECRET_KEY: 'too-short' },
        { write: (text: string) => output.push(text) },
      );
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([scheduler.exited, new Promise((resolve) => (timer = setTimeout(() => resolve('running'), 20_000)))]);
      clearTimeout(timer);
      if (code === 'running') await scheduler.stop(1_000);
      expect(code).toBe(2);
      expect(output.join('')).toContain('FLOWCTL_SECRET_KEY must be 32 bytes, as 64 hex digits or base64');
    } finally {
      await database.drop();
    }
  });

  // Last: it replaces the stack's worker with one holding another key.
  it('cannot open a secret with another key, and says which key it needs', async () => {
    for (const worker of stack.processesNamed('worker')) await worker.stop(5_000);
    const otherKey = randomBytes(32).toString('hex');
    stack.startWorker({ FLOWCTL_SECRET_KEY: otherKey, WORKER_TYPES: 'noop' });
    await waitFor(async () => (await stack.api.get('/workers')).body.items?.some((w: { status: string }) => w.status === 'active'), {
      timeoutMs: 30_000,
      what: 'the worker with the other key',
    });
    await stack.api.applyYaml(
      aWorkflow({ name: 'other-key', tasks: [{ name: 'call', type: 'noop', with: { token: '{{ secrets.API_TOKEN }}' } }] }),
    );
    const run = await startRun('other-key');
    const call = taskOf(run, 'call');
    expect(call.status).toBe('failed');
    expect(call.error).toMatchObject({ type: 'SecretUnreadable', nonRetryable: true });
    expect(call.error.message).toMatch(/^secret API_TOKEN is encrypted with key [0-9a-f]{16}, which this process does not have/);
    expect(leaksIn(JSON.stringify(run) + stack.output.toString())).toEqual([]);
  });
});
