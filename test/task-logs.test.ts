import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import type { ResultMessage } from '@flowctl/queue';
import { runFlowctl } from './support/flowctl-cli';
import { FlowctlStack } from './support/flowctl-stack';
import { SseFrames } from './support/sse-frames';
import { waitFor } from './support/wait-for';
import { aWorkflow } from './support/workflow-factory';

jest.setTimeout(120_000);

const KEY = randomBytes(32).toString('base64');
const SECRET = `s3cr3t-${randomBytes(12).toString('hex')}`;
const ADMIN_TOKEN = `admin-token-for-task-logs-${randomBytes(8).toString('hex')}`;
/** Small, so the cap test needs a few hundred KiB of output, not 10 MiB. */
const LOG_LIMIT = 256 * 1024;
const CHAIN_HOPS = 10;

describe('task logs', () => {
  let stack: FlowctlStack;
  let db: Client;
  let server: Server;

  beforeAll(async () => {
    server = createServer((request, response) => {
      response.statusCode = request.url === '/missing' ? 404 : 200;
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    stack = await FlowctlStack.start({
      label: 'task_logs',
      schedulerEnv: { FLOWCTL_SECRET_KEY: KEY, FLOWCTL_TASK_LOG_LIMIT: String(LOG_LIMIT), FLOWCTL_ADMIN_TOKEN: ADMIN_TOKEN },
      workerEnv: {
        FLOWCTL_SECRET_KEY: KEY,
        FLOWCTL_SHELL_ENABLED: 'true',
        WORKER_TYPES: 'noop,shell,http',
        FLOWCTL_HTTP_ALLOWLIST: `127.0.0.1:${port}`,
      },
    });
    db = new Client({ connectionString: stack.database.url });
    await db.connect();
    stack.startNodeScript('task-logging', join(__dirname, 'support', 'fixtures', 'task-logging.worker.js'), { FLOWCTL_SECRET_KEY: KEY });
    await waitFor(async () => (await stack.api.get('/workers')).body.items.some((w: any) => w.types.includes('log-lines')), {
      timeoutMs: 15_000,
      what: 'the task-logging worker to register',
    });
    const apply = async (yaml: string) => expect((await stack.api.applyYaml(yaml)).status).toBe(200);
    await apply(
      aWorkflow({
        name: 'talk',
        tasks: [
          {
            name: 'say',
            type: 'shell',
            with: { command: 'echo first; echo oops >&2; sleep 2; echo second' },
          },
        ],
      }),
    );
    await apply(
      aWorkflow({
        name: 'each',
        spec: { inputs: { counts: { type: 'array' } } },
        tasks: [{ name: 'log', type: 'log-lines', forEach: '{{ inputs.counts }}', with: { count: '{{ item }}' } }],
      }),
    );
    await apply(aWorkflow({ name: 'sdk', tasks: [{ name: 'log', type: 'log-lines', with: { count: 3, warn: true, console: true } }] }));
    await apply(
      aWorkflow({
        name: 'logged-chain',
        tasks: Array.from({ length: CHAIN_HOPS + 1 }, (_, i) => ({
          name: `t${i}`,
          type: 'log-lines',
          with: { count: 3 },
          ...(i > 0 ? { dependsOn: [`t${i - 1}`] } : {}),
        })),
      }),
    );
    await apply(
      aWorkflow({
        name: 'retried',
        tasks: [
          { name: 'log', type: 'log-lines', with: { count: 25, failFirst: true }, retry: { maxAttempts: 2, initialInterval: '100ms' } },
        ],
      }),
    );
    // 4,000 lines of 100 bytes: about 400 kB, past the 256 KiB cap.
    await apply(
      aWorkflow({
        name: 'chatty',
        tasks: [
          {
            name: 'spam',
            type: 'shell',
            with: { command: 'i=0; while [ $i -lt 4000 ]; do i=$((i+1)); printf "%-99s\\n" "line $i"; done' },
          },
        ],
      }),
    );
    await apply(
      aWorkflow({
        name: 'leaky',
        tasks: [
          {
            name: 'echo',
            type: 'shell',
            with: {
              command: 'echo "token=$TOKEN"; echo "$TOKEN" | base64; echo "err $TOKEN" >&2',
              env: { TOKEN: '{{ secrets.LOG_TOKEN }}' },
            },
          },
          { name: 'sdk', type: 'log-secret', with: { token: '{{ secrets.LOG_TOKEN }}' } },
        ],
      }),
    );
    await apply(
      aWorkflow({
        name: 'hostile',
        tasks: [
          {
            name: 'print',
            type: 'shell',
            with: {
              command:
                "head -c 1048576 /dev/zero | tr '\\0' 'x'; echo; printf 'bad \\377\\376 utf8\\n'; printf 'nul\\000byte\\n'; printf '\\033[2J\\033[Hclear\\033]0;title\\007\\n'; echo after",
            },
          },
        ],
      }),
    );
    await apply(
      aWorkflow({
        name: 'calls',
        tasks: [
          { name: 'ok', type: 'http', with: { url: `http://127.0.0.1:${port}/fine` } },
          { name: 'missing', type: 'http', with: { url: `http://127.0.0.1:${port}/missing`, expectStatus: [404] } },
        ],
      }),
    );
  });

  afterEach(() => {
    if (process.env.TASK_LOGS_DEBUG) console.log(String(stack.output));
  });

  afterAll(async () => {
    await db?.end();
    await stack?.stop();
    server?.close();
  });

  const start = async (workflow: string): Promise<string> => {
    const started = await stack.api.post(`/workflows/${workflow}/runs`, {});
    expect(started.status).toBe(201);
    return started.body.id;
  };
  const logsOf = (runId: string, task: string, query = '') =>
    stack.api.get(`/runs/${runId}/tasks/${encodeURIComponent(task)}/logs${query}`);

  it("shows a running shell task's stdout and stderr line by line before it ends", async () => {
    const runId = await start('talk');
    const early = await waitFor(
      async () => {
        const page = await logsOf(runId, 'say');
        return page.body.items?.length >= 2 ? page.body : undefined;
      },
      { timeoutMs: 10_000, what: 'the first lines of the shell task' },
    );
    expect((await stack.api.get(`/runs/${runId}`)).body.status).toBe('running');
    expect(early.items.map((line: any) => [line.stream, line.message])).toEqual(
      expect.arrayContaining([
        ['stdout', 'first'],
        ['stderr', 'oops'],
      ]),
    );
    expect(early.items.map((line: any) => line.message)).not.toContain('second');
    const run = await stack.waitForRun(runId);
    expect(run.status).toBe('succeeded');
    const done = await waitFor(
      async () => {
        const page = await logsOf(runId, 'say');
        return page.body.items.length === 3 ? page.body : undefined;
      },
      { what: 'the last line' },
    );
    expect(done.items.map((line: any) => line.seq)).toEqual([1, 2, 3]);
    expect(done.items[2]).toMatchObject({ seq: 3, level: 'info', stream: 'stdout', message: 'second' });
    expect(Number.isNaN(Date.parse(done.items[2].ts))).toBe(false);
    expect(done.nextCursor).toBeNull();
  });

  it("keeps a custom handler's ctx.logger lines, fields included, and its console output when captured", async () => {
    const runId = await start('sdk');
    expect((await stack.waitForRun(runId)).status).toBe('succeeded');
    const page = await waitFor(
      async () => {
        const { body } = await logsOf(runId, 'log');
        return body.items.length >= 5 ? body : undefined;
      },
      { what: 'the handler lines' },
    );
    expect(page.items.map((line: any) => [line.level, line.stream, line.message])).toEqual([
      ['info', 'log', 'attempt 1 line 1'],
      ['info', 'log', 'attempt 1 line 2'],
      ['info', 'log', 'attempt 1 line 3'],
      ['warn', 'log', 'careful {"step":2}'],
      ['info', 'log', 'from console { attempt: 1 }'],
    ]);
  });

  it("logs an http task's request line and response status", async () => {
    const runId = await start('calls');
    expect((await stack.waitForRun(runId)).status).toBe('succeeded');
    const ok = await waitFor(
      async () => ((await logsOf(runId, 'ok')).body.items.length >= 2 ? (await logsOf(runId, 'ok')).body : undefined),
      {
        what: 'the http lines',
      },
    );
    expect(ok.items[0].message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/fine$/);
    expect(ok.items[1]).toMatchObject({ level: 'info', message: expect.stringMatching(/^200 OK \(\d+ ms\)$/) });
    const missing = await waitFor(async () => {
      const { body } = await logsOf(runId, 'missing');
      return body.items.length >= 2 ? body : undefined;
    });
    expect(missing.items[1]).toMatchObject({ level: 'warn', message: expect.stringMatching(/^404 Not Found/) });
  });

  it("stores a task's lines in the transaction that applies its outcome, at no round trip to PostgreSQL more than a silent task", async () => {
    // Engine transactions of at most three round trips so far, as engine.test.ts counts a silent chain's hops.
    const transactionsWithin3 = async () => {
      const body = await (await fetch(`${stack.url}/api/v1/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
      const bucket = /^flowctl_engine_transaction_round_trips_bucket\{le="3"\} (\d+)$/m.exec(body);
      if (!bucket) throw new Error('no round-trip bucket le=3 in the metrics');
      return Number(bucket[1]);
    };
    const before = await transactionsWithin3();
    const runId = await start('logged-chain');
    expect((await stack.waitForRun(runId)).status).toBe('succeeded');
    // Every hop's result transaction but the last (which ends the run and reads its counters back).
    expect((await transactionsWithin3()) - before).toBeGreaterThanOrEqual(CHAIN_HOPS);
    for (let i = 0; i <= CHAIN_HOPS; i++) {
      const { body } = await logsOf(runId, `t${i}`);
      expect(body.items.map((line: any) => line.message)).toEqual(['attempt 1 line 1', 'attempt 1 line 2', 'attempt 1 line 3']);
    }
  });

  it('reads the latest attempt by default, an earlier one by ?attempt=, in pages with after and limit', async () => {
    const runId = await start('retried');
    expect((await stack.waitForRun(runId)).status).toBe('succeeded');
    await waitFor(async () => (await logsOf(runId, 'log', '?attempt=2')).body.items.length === 25, { what: 'attempt 2 lines' });
    const latest = await logsOf(runId, 'log', '?limit=10');
    expect(latest.body.items.map((line: any) => line.message)).toEqual(Array.from({ length: 10 }, (_, i) => `attempt 2 line ${i + 1}`));
    expect(latest.body.nextCursor).toBe('10');
    const next = await logsOf(runId, 'log', `?limit=10&after=${latest.body.nextCursor}`);
    expect(next.body.items.map((line: any) => line.seq)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    const last = await logsOf(runId, 'log', '?limit=10&after=20');
    expect(last.body.items).toHaveLength(5);
    expect(last.body.nextCursor).toBeNull();
    const first = await logsOf(runId, 'log', '?attempt=1&limit=100');
    expect(first.body.items.map((line: any) => line.message)).toEqual(Array.from({ length: 25 }, (_, i) => `attempt 1 line ${i + 1}`));

    expect((await logsOf(runId, 'log', '?attempt=3')).status).toBe(404);
    expect((await logsOf(runId, 'log', '?attempt=zero')).status).toBe(400);
    expect((await logsOf(runId, 'log', '?after=-1')).status).toBe(400);
    expect((await logsOf(runId, 'log', '?limit=0')).status).toBe(400);
    expect((await logsOf(runId, 'nope')).status).toBe(404);
    expect((await logsOf('018f0000-0000-7000-8000-000000000000', 'log')).status).toBe(404);
  });

  it('streams lines live over SSE, ends when the attempt is over, and resumes after Last-Event-ID', async () => {
    const runId = await start('talk');
    const url = `${stack.url}/api/v1/runs/${runId}/tasks/say/logs/stream`;
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const live = await SseFrames.open(url, auth);
    expect(live.status).toBe(200);
    await waitFor(() => live.of('message').length >= 2, { timeoutMs: 10_000, what: 'the first streamed lines' });
    expect((await stack.api.get(`/runs/${runId}`)).body.status).toBe('running');
    await waitFor(() => live.of('end').length === 1 && live.ended, { timeoutMs: 15_000, what: 'the end event' });
    const lines = live.of('message');
    expect(lines.map((frame) => frame.id)).toEqual(['1', '2', '3']);
    expect(lines.map((frame) => frame.data.message)).toContain('second');
    expect(lines[0]!.data).toEqual(expect.objectContaining({ seq: 1, level: 'info', ts: expect.any(String) }));

    const resumed = await SseFrames.open(url, { ...auth, 'last-event-id': '2' });
    await waitFor(() => resumed.ended, { what: 'the resumed stream to end' });
    expect(resumed.of('message').map((frame) => frame.id)).toEqual(['3']);
    expect(resumed.of('end')).toHaveLength(1);
    expect((await SseFrames.open(url, { ...auth, 'last-event-id': 'x' })).status).toBe(400);
  });

  it('keeps the latest lines of an attempt past its cap and says how many were dropped', async () => {
    const runId = await start('chatty');
    expect((await stack.waitForRun(runId)).status).toBe('succeeded');
    const read = async () => {
      const items: any[] = [];
      let after = '0';
      for (;;) {
        const { body } = await logsOf(runId, 'spam', `?limit=10000&after=${after}`);
        items.push(...body.items);
        if (!body.nextCursor) return items;
        after = body.nextCursor;
      }
    };
    const items = await waitFor(
      async () => {
        const all = await read();
        if (process.env.TASK_LOGS_DEBUG)
          console.log(
            all.length,
            JSON.stringify(
              (
                await db.query(
                  `SELECT state, wait_event_type, wait_event, left(query, 200) AS q FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle'`,
                )
              ).rows,
            ),
          );
        return all.at(-1)?.message.trim() === 'line 4000' ? all : undefined;
      },
      { what: 'the last line' },
    );
    const [note, ...lines] = items;
    expect(note).toMatchObject({ level: 'warn', stream: 'system', message: expect.stringMatching(/^\d+ earlier lines dropped/) });
    const dropped = Number(/^(\d+)/.exec(note.message)![1]);
    expect(dropped).toBeGreaterThan(0);
    // Exactly the newest lines remain, in order, after the dropped ones.
    expect(lines.map((line: any) => line.message.trim())).toEqual(
      Array.from({ length: 4000 - dropped }, (_, i) => `line ${dropped + i + 1}`),
    );
    const bytes = lines.reduce((sum: number, line: any) => sum + Buffer.byteLength(line.message), 0);
    expect(bytes).toBeLessThanOrEqual(LOG_LIMIT);
  });

  it('never stores a secret a task printed, in any line of any of its tasks', async () => {
    expect((await stack.api.request('PUT', '/secrets/LOG_TOKEN', { value: SECRET })).status).toBe(200);
    const runId = await start('leaky');
    expect((await stack.waitForRun(runId)).status).toBe('succeeded');
    await waitFor(async () => (await logsOf(runId, 'echo')).body.items.length >= 3 && (await logsOf(runId, 'sdk')).body.items.length >= 2, {
      what: 'the lines of both tasks',
    });
    const { rows } = await db.query<{ message: string }>(
      `SELECT l.message FROM task_logs l JOIN task_runs t ON t.id = l.task_run_id WHERE t.run_id = $1`,
      [runId],
    );
    expect(rows.length).toBeGreaterThanOrEqual(5);
    const forms = [SECRET, Buffer.from(SECRET).toString('base64')];
    expect(rows.filter((row) => forms.some((form) => row.message.includes(form)))).toEqual([]);
    expect(rows.map((row) => row.message)).toEqual(
      expect.arrayContaining(['token=***', 'err ***', 'token is *** {"token":"***"}', 'console token ***']),
    );
  });

  it('stores hostile output safely, and flowctl logs prints it neutralised', async () => {
    const runId = await start('hostile');
    expect((await stack.waitForRun(runId)).status).toBe('succeeded');
    const items = await waitFor(
      async () => {
        const { body } = await logsOf(runId, 'print');
        return body.items.at(-1)?.message === 'after' ? body.items : undefined;
      },
      { what: 'the hostile lines' },
    );
    const messages: string[] = items.map((line: any) => line.message);
    expect(messages.slice(-4)).toEqual(['bad \uFFFD\uFFFD utf8', 'nulbyte', '\x1b[2J\x1b[Hclear\x1b]0;title\x07', 'after']);
    // The megabyte without a newline came in pieces of at most 64 KiB; past the 256 KiB cap its head was dropped, and the log says so.
    expect(items[0]).toMatchObject({ stream: 'system', message: expect.stringMatching(/^\d+ earlier lines dropped/) });
    const pieces = messages.slice(1, -4);
    expect(pieces.length).toBeGreaterThan(0);
    for (const piece of pieces) expect(piece).toMatch(/^x{1,65536}$/);

    const printed = await runFlowctl(['--server', stack.url, '--token', ADMIN_TOKEN, 'logs', runId, 'print']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).not.toContain('\x1b');
    expect(printed.stdout).not.toContain('\x07');
    expect(printed.stdout.split('\n')).toEqual(expect.arrayContaining(['^[[2J^[[Hclear^[]0;title^G', 'after']));
    const json = await runFlowctl(['--server', stack.url, '--token', ADMIN_TOKEN, 'logs', runId, 'print', '-o', 'json']);
    expect(json.code).toBe(0);
    const objects = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(objects.at(-2)).toMatchObject({ stream: 'stdout', message: '\x1b[2J\x1b[Hclear\x1b]0;title\x07' });
  });

  it('prints every task of a run, prefixed with the task, and follows a task with -f until it ends', async () => {
    const runId = await start('calls');
    expect((await stack.waitForRun(runId)).status).toBe('succeeded');
    await waitFor(async () => (await logsOf(runId, 'missing')).body.items.length >= 2, { what: 'the http lines' });
    const all = await runFlowctl(['--server', stack.url, '--token', ADMIN_TOKEN, 'logs', runId]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^ok \| GET http:\/\/127\.0\.0\.1:\d+\/fine$/m);
    expect(all.stdout).toMatch(/^missing \| 404 Not Found/m);

    const followed = await start('talk');
    const follow = await runFlowctl(['--server', stack.url, '--token', ADMIN_TOKEN, 'logs', followed, 'say', '-f'], { timeoutMs: 20_000 });
    expect(follow.code).toBe(0);
    expect(follow.stdout).toBe('first\noops\nsecond\n');
    expect((await stack.api.get(`/runs/${followed}`)).body.tasks[0].status).toBe('succeeded');

    const usage = await runFlowctl(['--server', stack.url, '--token', ADMIN_TOKEN, 'logs', runId, 'ok', '--attempt', 'x']);
    expect(usage.code).toBe(2);
    const unknown = await runFlowctl(['--server', stack.url, '--token', ADMIN_TOKEN, 'logs', runId, 'nope']);
    expect(unknown.code).toBe(1);
  });

  it('answers 404 to a viewer of another namespace, for the page and the stream', async () => {
    const runId = await start('sdk');
    await stack.waitForRun(runId);
    const created = await stack.api.post('/tokens', { role: 'viewer', namespaces: ['elsewhere'], name: 'elsewhere-viewer' });
    expect(created.status).toBe(201);
    const outsider = stack.api.as(created.body.token);
    expect((await outsider.get(`/runs/${runId}/tasks/log/logs`)).status).toBe(404);
    const stream = await SseFrames.open(`${stack.url}/api/v1/runs/${runId}/tasks/log/logs/stream`, {
      authorization: `Bearer ${created.body.token}`,
    });
    expect(stream.status).toBe(404);
    const viewer = await stack.api.post('/tokens', { role: 'viewer', namespaces: ['default'], name: 'default-viewer' });
    expect((await stack.api.as(viewer.body.token).get(`/runs/${runId}/tasks/log/logs`)).status).toBe(200);
  });

  it('stores a logs message published straight on the results channel, as the HTTP gateway does', async () => {
    const runId = await start('talk');
    const { rows } = await db.query<{ id: string }>(`SELECT id::text FROM task_runs WHERE run_id = $1 AND name = 'say'`, [runId]);
    await stack.waitForRun(runId);
    const message: ResultMessage = {
      kind: 'logs',
      runId,
      taskRunId: rows[0]!.id,
      attempt: 1,
      workerId: 'gateway:python-1',
      at: new Date().toISOString(),
      dropped: 2,
      lines: [{ ts: '2026-12-01T10:00:00.000Z', level: 'error', stream: 'log', message: 'from python\u0000 \uD800' }],
    };
    await stack.queues().results().publish(message);
    // Lines naming a task run of another run are dropped, never stored against it.
    await stack
      .queues()
      .results()
      .publish({ ...message, runId: '018f0000-0000-7000-8000-000000000000', lines: [{ ...message.lines[0]!, message: 'misrouted' }] });
    const items = await waitFor(
      async () => {
        const { body } = await logsOf(runId, 'say');
        return body.items.some((line: any) => line.message.startsWith('from python')) ? body.items : undefined;
      },
      { what: 'the published line' },
    );
    expect(items.slice(-2)).toEqual([
      expect.objectContaining({ level: 'warn', stream: 'system', message: expect.stringMatching(/^2 lines dropped by the worker/) }),
      { seq: expect.any(Number), ts: '2026-12-01T10:00:00.000Z', level: 'error', stream: 'log', message: 'from python \uFFFD' },
    ]);
    const misrouted = await db.query(`SELECT 1 FROM task_logs WHERE message = 'misrouted'`);
    expect(misrouted.rowCount).toBe(0);
  });

  it('reads the log of a forEach instance by its name, task[i]', async () => {
    const started = await stack.api.post('/workflows/each/runs', { inputs: { counts: [1, 2, 3] } });
    expect(started.status).toBe(201);
    const runId = started.body.id;
    expect((await stack.waitForRun(runId)).status).toBe('succeeded');
    const third = await waitFor(async () => {
      const { body } = await logsOf(runId, 'log[2]');
      return body.items?.length === 3 ? body.items : undefined;
    });
    expect(third.map((line: any) => line.message)).toEqual(['attempt 1 line 1', 'attempt 1 line 2', 'attempt 1 line 3']);
    expect((await logsOf(runId, 'log[7]')).status).toBe(404);
  });
});
