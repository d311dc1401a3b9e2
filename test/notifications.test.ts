import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { freePort } from '../apps/flowctl/src/dev/embedded-database';
import { TestApi } from './support/api-client';
import { FlowctlStack } from './support/flowctl-stack';
import { waitFor } from './support/wait-for';
import { aWorkflow } from './support/workflow-factory';

const HOOK_SECRET = 'whsec-test-0123456789';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/**
 * A webhook receiver on 127.0.0.1 that keeps every request and answers as the test says:
 * 200, 500, or not at all (closed, so connections are refused).
 */
class Receiver {
  readonly received: Received[] = [];
  answer = 200;
  private server?: Server;

  constructor(readonly port: number) {}

  async open(): Promise<void> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '';
        // /hang never answers its first request: the sender's time limit must end the attempt.
        const hang = path === '/hang' && this.at('/hang').length === 0;
        this.received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString(), answered: hang ? 0 : this.answer });
        if (hang) return;
        response.writeHead(this.answer, { 'content-type': 'text/plain' }).end(this.answer === 200 ? 'ok' : 'receiver is broken');
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  at(path: string): Received[] {
    return this.received.filter((request) => request.path === path);
  }
}

/** What a receiver does (docs/notifications.md): HMAC-SHA256 of `<timestamp>.<body>`, compared in constant time. */
function verifySignature(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const timestamp = String(headers['x-flowctl-timestamp']);
  const given = Buffer.from(String(headers['x-flowctl-signature-256']));
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
  return given.length === expected.length && timingSafeEqual(given, expected) && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
}

describe('run notifications (spec.notify)', () => {
  let stack: FlowctlStack;
  let receiver: Receiver;
  /** A loopback port that is not in the allowlist: the destination policy must refuse it. */
  let forbiddenPort: number;
  let standbyPort: number;

  const notifications = async (runId: string) => (await stack.api.get(`/runs/${runId}/notifications`)).body.items as any[];
  const settled = (runId: string, count: number) =>
    waitFor(
      async () => {
        const items = await notifications(runId);
        return items.length === count && items.every((item) => item.status !== 'pending') ? items : undefined;
      },
      { timeoutMs: 30_000, what: `${count} notifications of run ${runId} to settle` },
    );

  beforeAll(async () => {
    receiver = new Receiver(await freePort());
    forbiddenPort = await freePort();
    await receiver.open();
    const schedulerEnv = {
      FLOWCTL_SECRET_KEY: randomBytes(32).toString('base64'),
      // Public addresses, and of the loopback ones only the receiver (as an operator lists an internal service).
      FLOWCTL_NOTIFY_ALLOWLIST: `*,127.0.0.1:${receiver.port}`,
      FLOWCTL_NOTIFY_RETRY_INITIAL: '200ms',
      FLOWCTL_NOTIFY_RETRY_MAX: '1s',
      FLOWCTL_DASHBOARD_URL: 'https://flowctl.example.com/',
      FLOWCTL_NOTIFY_TIMEOUT: '1s',
    };
    stack = await FlowctlStack.start({ label: 'notifications', schedulerEnv });
    // A standby scheduler: only the leader may send, so no delivery is sent twice.
    standbyPort = await freePort();
    await stack.startScheduler({ ...schedulerEnv, PORT: String(standbyPort) });
    expect((await stack.api.request('PUT', '/secrets/HOOK_KEY', { value: HOOK_SECRET })).status).toBe(200);
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('tells a failed run with a signed JSON body, and its dead letter with a Slack body', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'billing',
        tasks: [{ name: 'charge', type: 'fail', retry: { maxAttempts: 1 }, with: { message: 'card declined' } }],
        spec: {
          notify: [
            { on: ['failed', 'succeeded'], webhook: { url: receiver.url('/json'), secret: 'HOOK_KEY' } },
            { on: ['dead_letter'], webhook: { url: receiver.url('/slack'), format: 'slack' } },
          ],
        },
      }),
    );
    const run = await stack.waitForRun((await stack.api.post('/workflows/billing/runs')).body.id);
    expect(run.status).toBe('failed');
    const deliveries = await settled(run.id, 2);
    expect(deliveries.map((d) => [d.event, d.status, d.signed, d.format, d.attempts.map((a: any) => a.statusCode)])).toEqual([
      ['dead_letter', 'delivered', false, 'slack', [200]],
      ['failed', 'delivered', true, 'json', [200]],
    ]);
    expect(deliveries[0].deadTask).toMatchObject({ task: 'charge', type: 'fail', attempt: 1, error: { message: 'card declined' } });

    const [json] = receiver.at('/json');
    expect(verifySignature(HOOK_SECRET, json!.headers, json!.body)).toBe(true);
    expect(verifySignature('another-secret', json!.headers, json!.body)).toBe(false);
    expect(json!.headers['x-flowctl-event']).toBe('run.failed');
    expect(JSON.parse(json!.body)).toMatchObject({
      type: 'run.failed',
      deliveryId: deliveries[1].id,
      run: {
        id: run.id,
        workflow: 'billing',
        namespace: 'default',
        status: 'failed',
        finishedAt: expect.any(String),
        failedTasks: [{ name: 'charge', status: 'dead', error: { type: expect.any(String), message: 'card declined' } }],
        url: `https://flowctl.example.com/runs/${run.id}`,
      },
    });

    const [slack] = receiver.at('/slack');
    expect(slack!.headers['x-flowctl-signature-256']).toBeUndefined();
    const body = JSON.parse(slack!.body);
    expect(body.text).toBe(`:skull: Task charge of default/billing run ${run.id} went to the dead-letter queue after 1 attempts`);
    expect(body.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: body.text } });
    expect(body.blocks).toContainEqual({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open run' }, url: `https://flowctl.example.com/runs/${run.id}` }],
    });
  });

  it('keeps trying while the receiver is down, then delivers once, with every earlier attempt kept', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'nightly',
        tasks: [{ name: 'load' }],
        spec: { notify: [{ on: ['succeeded'], webhook: { url: receiver.url('/flaky') } }] },
      }),
    );
    await receiver.close();
    const run = await stack.waitForRun((await stack.api.post('/workflows/nightly/runs')).body.id);
    expect(run.status).toBe('succeeded');
    await waitFor(async () => (await notifications(run.id))[0]?.attempts.length >= 2, { timeoutMs: 20_000, what: 'two refused attempts' });
    receiver.answer = 500;
    await receiver.open();
    await waitFor(() => receiver.at('/flaky').length >= 1, { timeoutMs: 20_000, what: 'an attempt answered 500' });
    receiver.answer = 200;
    const [delivery] = await settled(run.id, 1);

    expect(delivery.status).toBe('delivered');
    const attempts = delivery.attempts as any[];
    expect(attempts.map((a) => a.attempt)).toEqual(attempts.map((_, i) => i + 1));
    expect(attempts.slice(0, 2).every((a) => a.statusCode === null && /ECONNREFUSED/.test(a.error))).toBe(true);
    expect(attempts.find((a) => a.statusCode === 500)).toMatchObject({ response: 'receiver is broken', error: null });
    expect(attempts.at(-1)).toMatchObject({ statusCode: 200, response: 'ok' });
    expect(receiver.at('/flaky').filter((request) => request.answered === 200)).toHaveLength(1);
    // The waits between attempts grew (200ms, 400ms, ...): each attempt started after the one before ended plus its backoff.
    const starts = attempts.map((a) => Date.parse(a.startedAt));
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(190);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(390);
  });

  it('refuses a loopback address that the allowlist does not name, without retrying', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'sneaky',
        tasks: [{ name: 'a' }],
        spec: { notify: [{ on: ['succeeded'], webhook: { url: `http://127.0.0.1:${forbiddenPort}/internal` } }] },
      }),
    );
    const run = await stack.waitForRun((await stack.api.post('/workflows/sneaky/runs')).body.id);
    const [delivery] = await settled(run.id, 1);
    expect(delivery).toMatchObject({ status: 'failed', destination: `http://127.0.0.1:${forbiddenPort}` });
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0].error).toContain(
      `127.0.0.1 is a loopback address; refused; list "127.0.0.1:${forbiddenPort}" in FLOWCTL_NOTIFY_ALLOWLIST`,
    );
  });

  it('tells of a cancelled run and of one that timed out, with the state each ended in', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'stopped',
        tasks: [{ name: 'nap', type: 'sleep', with: { duration: '60s' } }],
        spec: { notify: [{ on: ['cancelled', 'timed_out'], webhook: { url: receiver.url('/stopped') } }] },
      }),
    );
    await stack.api.applyYaml(
      aWorkflow({
        name: 'late',
        tasks: [{ name: 'nap', type: 'sleep', with: { duration: '60s' } }],
        spec: { timeout: '1s', notify: [{ on: ['cancelled', 'timed_out'], webhook: { url: receiver.url('/stopped') } }] },
      }),
    );
    const cancelled = (await stack.api.post('/workflows/stopped/runs')).body.id as string;
    expect((await stack.api.post(`/runs/${cancelled}/cancel`)).status).toBe(200);
    const late = (await stack.api.post('/workflows/late/runs')).body.id as string;
    expect((await stack.waitForRun(late)).status).toBe('timed_out');

    for (const [runId, event] of [
      [cancelled, 'cancelled'],
      [late, 'timed_out'],
    ] as const) {
      const [delivery] = await settled(runId, 1);
      expect(delivery).toMatchObject({ event, status: 'delivered' });
      const body = JSON.parse(receiver.at('/stopped').find((request) => JSON.parse(request.body).run.id === runId)!.body);
      expect(body).toMatchObject({ type: `run.${event}`, run: { id: runId, status: event } });
    }
  });

  it('ends an attempt that gets no answer at the time limit, and tries again', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'silent',
        tasks: [{ name: 'a' }],
        spec: { notify: [{ on: ['succeeded'], webhook: { url: receiver.url('/hang') } }] },
      }),
    );
    const run = await stack.waitForRun((await stack.api.post('/workflows/silent/runs')).body.id);
    const [delivery] = await settled(run.id, 1);
    expect(delivery.status).toBe('delivered');
    expect(delivery.attempts).toEqual([
      expect.objectContaining({ attempt: 1, statusCode: null, error: 'no answer within 1000 ms', durationMs: expect.any(Number) }),
      expect.objectContaining({ attempt: 2, statusCode: 200 }),
    ]);
    expect(delivery.attempts[0].durationMs).toBeGreaterThanOrEqual(900);
  });

  it('refuses a workflow whose notify is malformed, naming the place', async () => {
    const response = await stack.api.applyYaml(
      aWorkflow({ name: 'bad-notify', tasks: [{ name: 'a' }], spec: { notify: [{ on: ['finished'], webhook: { url: 'ftp://x' } }] } }),
    );
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain('spec.notify[0].on[0]: must be one of');
    expect(JSON.stringify(response.body)).toContain('spec.notify[0].webhook.url: must be an http or https URL, not ftp');
  });

  it('sends no delivery twice across two schedulers, and counts every attempt in the metrics', async () => {
    const delivered = receiver.received
      .filter((request) => request.answered === 200)
      .map((request) => request.headers['x-flowctl-delivery']);
    expect(delivered.length).toBeGreaterThanOrEqual(3);
    expect(new Set(delivered).size).toBe(delivered.length);

    // Only the leader sends, so the two schedulers' counters add up to what the receiver saw.
    const counted = { delivered: 0, retried: 0, failed: 0 };
    for (const url of [stack.url, `http://127.0.0.1:${standbyPort}`]) {
      const text = await (await fetch(`${url}/api/v1/metrics`)).text();
      for (const outcome of Object.keys(counted) as Array<keyof typeof counted>) {
        const match = new RegExp(`^flowctl_notification_attempts_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(text);
        counted[outcome] += Number(match?.[1] ?? 0);
      }
    }
    expect(counted.delivered).toBe(delivered.length);
    expect(counted.retried).toBeGreaterThanOrEqual(3);
    expect(counted.failed).toBe(1);
  });

  it('goes on from the standby when the leader dies with a delivery waiting, and delivers it once', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'handover',
        tasks: [{ name: 'a' }],
        spec: { notify: [{ on: ['succeeded'], webhook: { url: receiver.url('/handover') } }] },
      }),
    );
    await receiver.close();
    const run = await stack.waitForRun((await stack.api.post('/workflows/handover/runs')).body.id);
    await waitFor(async () => (await notifications(run.id))[0]?.attempts.length >= 1, { timeoutMs: 20_000, what: 'a refused attempt' });

    const leaderId = (await stack.api.get('/cluster')).body.leader as string;
    const [first, second] = stack.processesNamed('scheduler');
    const leader = leaderId.includes(`-${first!.child.pid}-`) ? first! : second!;
    const standby = new TestApi(leader === first ? `http://127.0.0.1:${standbyPort}` : stack.url);
    leader.child.kill('SIGKILL');
    await leader.exited;
    receiver.answer = 200;
    await receiver.open();

    const delivery = await waitFor(
      async () => ((await standby.get(`/runs/${run.id}/notifications`)).body.items as any[]).find((d) => d.status === 'delivered'),
      { timeoutMs: 30_000, what: 'the standby to take over and deliver' },
    );
    expect(delivery.attempts.at(-1)).toMatchObject({ statusCode: 200 });
    expect(receiver.at('/handover').filter((request) => request.answered === 200)).toHaveLength(1);
  });
});
