import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  createFlowctlClient,
  ROUTES,
  RUN_STREAM_FRAMES,
  RUNS_STREAM_FRAMES,
  TASK_LOG_STREAM_FRAMES,
  type FlowctlClient,
  type RouteName,
} from '@flowctl/api-contract';
import type { z } from 'zod';
import { FlowctlStack } from './support/flowctl-stack';
import { waitFor } from './support/wait-for';
import { aWorkflow } from './support/workflow-factory';

/**
 * Drives a real scheduler and worker through a scenario that touches every route, and parses each
 * answer with its route's response schema. The schemas are strict: a field the server adds, renames
 * or drops without the contract saying so fails here, before a client meets it.
 */
const ADMIN_TOKEN = 'contract-admin-token-0123456789abcdef';
const asAdmin = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('the REST contract', () => {
  let stack: FlowctlStack;
  let client: FlowctlClient;
  const checked = new Set<RouteName>();

  /** Calls a route through the typed client, and holds its answer to the route's schema. */
  async function check<N extends RouteName>(
    name: N,
    args?: Parameters<FlowctlClient[N]>[0],
  ): Promise<z.output<(typeof ROUTES)[N]['response']>> {
    const { body } = await client.call(name, args as never);
    const result = ROUTES[name].response.safeParse(body);
    if (!result.success)
      throw new Error(`${name}: the answer is not as the contract says:\n${result.error.message}\n${JSON.stringify(body).slice(0, 2000)}`);
    checked.add(name);
    return result.data as never;
  }

  /** The frames of an SSE route, read until `until` says enough, each held to its event's schema. */
  async function streamFrames(
    name: 'streamRun' | 'streamRuns' | 'streamTaskLogs',
    args: Record<string, string>,
    until: (events: string[]) => boolean,
  ) {
    const frames = name === 'streamRun' ? RUN_STREAM_FRAMES : name === 'streamRuns' ? RUNS_STREAM_FRAMES : TASK_LOG_STREAM_FRAMES;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10_000);
    const response = await fetch(client.url(name, args as never), {
      headers: { accept: 'text/event-stream', ...asAdmin },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const events: string[] = [];
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += Buffer.from(chunk).toString('utf8');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          if (!event) continue;
          const data = JSON.parse(
            block
              .split('\n')
              .filter((line) => line.startsWith('data: '))
              .map((line) => line.slice(6))
              .join('\n'),
          );
          const schema = (frames as Record<string, z.ZodType>)[event];
          if (!schema) throw new Error(`${name}: an event "${event}" the contract does not list`);
          const result = schema.safeParse(data);
          if (!result.success) throw new Error(`${name} ${event}: not as the contract says:\n${result.error.message}`);
          events.push(event);
        }
        if (until(events)) break;
      }
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
    checked.add(name);
    return events;
  }

  beforeAll(async () => {
    stack = await FlowctlStack.start({
      label: 'api-contract',
      schedulerEnv: { FLOWCTL_SECRET_KEY: randomBytes(32).toString('base64'), FLOWCTL_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    client = createFlowctlClient({ server: stack.url, token: ADMIN_TOKEN });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers every route as its schema says', async () => {
    // workflows and schedules
    const source = aWorkflow({
      name: 'contract',
      spec: {
        inputs: { items: { type: 'array', default: [1, 2, 3] } },
        schedule: { cron: '0 2 * * *' },
        // Loopback is not in the default allowlist: the delivery fails at its first attempt, which is kept.
        notify: [{ on: ['dead_letter'], webhook: { url: 'http://127.0.0.1:9/hook' } }],
      },
      tasks: [
        { name: 'list' },
        { name: 'each', dependsOn: ['list'], forEach: '{{ inputs.items }}', with: { x: '{{ item }}' } },
        { name: 'gate', type: 'approval', dependsOn: ['each'] },
        { name: 'broken', type: 'fail', with: { message: 'on purpose' } },
      ],
    });
    expect(await check('applyWorkflow', { body: source })).toMatchObject({ name: 'contract', result: 'created' });
    await check('listWorkflows', { limit: 10 });
    await check('getWorkflow', { name: 'contract' });
    await check('getWorkflowVersion', { name: 'contract', version: '1' });
    await check('getSchedule', { name: 'contract' });
    await check('pauseSchedule', { name: 'contract' });
    await check('resumeSchedule', { name: 'contract' });
    const backfill = await check('backfillSchedule', {
      name: 'contract',
      body: { from: '2026-01-01T00:00:00Z', to: '2026-01-02T12:00:00Z' },
    });
    expect(backfill.items).toHaveLength(2);

    // a run through every kind of task: fan-out, approval, a dead letter
    const run = await check('startRun', { name: 'contract', body: { inputs: { items: ['a', 'b'] }, idempotencyKey: 'contract-1' } });
    await waitFor(async () => (await client.getTask({ id: run.id, name: 'gate' })).status === 'running', {
      timeoutMs: 20_000,
      what: 'the approval step to wait',
    });
    await check('getRun', { id: run.id });
    await check('listRuns', { workflow: 'contract' });
    await waitFor(async () => (await check('listRunNotifications', { id: run.id })).items[0]?.attempts.length === 1, {
      timeoutMs: 20_000,
      what: 'the dead letter notification to be attempted',
    });
    const events = await check('listRunEvents', { id: run.id });
    await check('listRunEvents', { id: run.id, before: events.items[events.items.length - 1]!.id, limit: 2 });
    await check('getTask', { id: run.id, name: 'each' });
    await check('listTaskInstances', { id: run.id, name: 'each' });
    await check('getTaskLogs', { id: run.id, name: 'list' });
    await check('getTaskLogs', { id: run.id, name: 'list', attempt: '1', limit: 10 });
    await streamFrames('streamRun', { id: run.id }, (seen) => seen.includes('snapshot'));
    const runsStream = streamFrames('streamRuns', { workflow: 'contract' }, (seen) => seen.includes('runs'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const rejected = await client.startRun({ name: 'contract', body: { inputs: { items: [] } } });
    expect(await runsStream).toEqual(expect.arrayContaining(['ready', 'runs']));
    await waitFor(async () => (await client.getTask({ id: rejected.id, name: 'gate' })).status === 'running', {
      timeoutMs: 20_000,
      what: 'the second approval step to wait',
    });
    expect(await check('approveTask', { id: run.id, name: 'gate', body: { by: 'ops', comment: 'fine' } })).toMatchObject({
      status: 'succeeded',
    });
    expect(await check('rejectTask', { id: rejected.id, name: 'gate' })).toMatchObject({ status: 'failed' });
    await stack.waitForRun(run.id);
    await check('retryRun', { id: run.id });
    await stack.waitForRun(run.id);

    const letters = await check('listDeadLetters', { workflow: 'contract' });
    expect(letters.items.length).toBeGreaterThanOrEqual(1);
    await check('getDeadLetter', { id: letters.items[0]!.id });
    await check('requeueDeadLetter', { id: letters.items[0]!.id });
    await check('cancelRun', { id: (await client.startRun({ name: 'contract' })).id });

    // cluster
    await check('listWorkers');
    await check('getCluster');
    await check('listQueues');

    // secrets, tokens, audit
    await check('setSecret', { name: 'API_TOKEN', body: { value: 'hunter2' } });
    await check('listSecrets');
    await check('deleteSecret', { name: 'API_TOKEN' });
    const token = await check('createToken', { body: { role: 'viewer', name: 'contract-viewer', expiresIn: '1d' } });
    await check('listTokens');
    await check('revokeToken', { id: token.id });
    await check('listAudit');

    // the HTTP worker protocol: a type no native worker serves, taken and reported over HTTP
    await check('applyWorkflow', {
      body: aWorkflow({
        name: 'contract-http',
        tasks: [
          { name: 'outside', type: 'contract-http' },
          { name: 'again', type: 'contract-http', dependsOn: ['outside'] },
        ],
      }),
    });
    const httpRun = await client.startRun({ name: 'contract-http' });
    const polled = await check('workerPoll', { body: { workerId: 'contract-worker', types: ['contract-http'], max: 1, waitMs: 10_000 } });
    const leased = polled.tasks[0]!;
    expect(leased).toMatchObject({ runId: httpRun.id, task: 'outside', attempt: 1 });
    await check('workerHeartbeat', { leaseId: leased.leaseId, body: { details: { done: 1 } } });
    await check('workerLogs', { leaseId: leased.leaseId, body: { lines: [{ message: 'working' }] } });
    await check('workerComplete', { leaseId: leased.leaseId, body: { output: { ok: true } } });
    const next = (await check('workerPoll', { body: { workerId: 'contract-worker', types: ['contract-http'], waitMs: 10_000 } })).tasks[0]!;
    await check('workerFail', { leaseId: next.leaseId, body: { error: { type: 'Broken', message: 'on purpose', nonRetryable: true } } });
    // The same failure again, beside a lease that is none: each answered as its own call would be.
    const reported = await check('workerReports', {
      body: {
        reports: [
          { leaseId: next.leaseId, outcome: 'failed', error: { type: 'Broken', message: 'on purpose', nonRetryable: true } },
          { leaseId: 'not-a-lease', outcome: 'completed', output: 1 },
        ],
      },
    });
    expect(reported.results.map((result) => result.status)).toEqual(['recorded', 'gone']);
    await stack.waitForRun(httpRun.id);
    // The HTTP worker's line, as the live stream of a finished attempt sends it: the line, then `end`.
    expect(await streamFrames('streamTaskLogs', { id: httpRun.id, name: 'outside' }, (seen) => seen.includes('end'))).toEqual([
      'message',
      'end',
    ]);
    expect((await check('getInsights', { since: '1h' })).runs.started).toBeGreaterThanOrEqual(2);
    await check('getInsights', { since: '7d', workflow: 'contract-http' });

    // events in: an event, and a signed hook call (sent by hand: the signature covers the exact bytes)
    await check('setSecret', { name: 'CONTRACT_HOOK', body: { value: 'hook-secret' } });
    await check('applyWorkflow', {
      body: aWorkflow({
        name: 'contract-events',
        spec: {
          inputs: { order: { type: 'string' } },
          on: [
            { event: 'contract.order', inputs: { order: '{{ event.data.id }}' } },
            { hook: { name: 'contract-hook', secret: 'CONTRACT_HOOK', signature: 'hmac-sha256' }, inputs: { order: 'hook' } },
          ],
        },
        tasks: [{ name: 'a' }],
      }),
    });
    const event = await check('emitEvent', { body: { name: 'contract.order', id: 'contract-event-1', data: { id: 'o-1' } } });
    expect(event.runs).toHaveLength(1);
    await check('listEvents', { name: 'contract.order' });
    await check('getEvent', { id: 'contract-event-1' });
    expect((await check('getRun', { id: event.runs[0]!.runId })).event).toMatchObject({ id: 'contract-event-1' });
    const hookBody = JSON.stringify({ action: 'opened' });
    const hookResponse = await fetch(client.url('receiveHook', { name: 'contract-hook' }), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-signature-256': createHmac('sha256', 'hook-secret').update(hookBody).digest('hex'),
      },
      body: hookBody,
    });
    expect(hookResponse.status).toBe(200);
    const hookEvent = ROUTES.receiveHook.response.safeParse(await hookResponse.json());
    if (!hookEvent.success) throw new Error(`receiveHook: the answer is not as the contract says:\n${hookEvent.error.message}`);
    checked.add('receiveHook');

    // health
    await check('healthz');
    await check('readyz');
    await check('metrics');
    await check('deleteWorkflow', { name: 'contract' });

    expect(Object.keys(ROUTES).filter((name) => !checked.has(name as RouteName))).toEqual([]);
  }, 120_000);

  it('refuses a bad query or body with 400 naming the field, in the error shape', async () => {
    const limit = await fetch(`${stack.url}/api/v1/workers?limit=0`, { headers: asAdmin });
    expect(limit.status).toBe(400);
    expect(await limit.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'InvalidInput',
      message: 'limit must be an integer from 1 to 500',
    });
    const body = await fetch(`${stack.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...asAdmin },
      body: JSON.stringify({ role: 'viewer', colour: 'red' }),
    });
    expect(body.status).toBe(400);
    expect((await body.json()).message).toBe('unknown field(s) colour: expected {role, namespaces?, name?, expiresIn?}');
    const inputs = await fetch(`${stack.url}/api/v1/workflows/contract/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...asAdmin },
      body: JSON.stringify({ inputs: [1, 2] }),
    });
    expect(inputs.status).toBe(400);
    expect((await inputs.json()).message).toBe('inputs must be a JSON object');
  });

  it('publishes an OpenAPI document with every route, its schemas and its errors', async () => {
    const response = await fetch(`${stack.url}/api/docs/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as any;
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.values(document.paths).flatMap((path: any) => Object.values(path)) as any[];
    expect(operations.map((operation) => operation.operationId).sort()).toEqual(Object.keys(ROUTES).sort());
    const getRun = document.paths['/api/v1/runs/{id}'].get;
    const resolve = (schema: any) => (schema.$ref ? document.components.schemas[schema.$ref.split('/').pop()] : schema);
    expect(resolve(getRun.responses['200'].content['application/json'].schema).properties.tasks.type).toBe('array');
    expect(JSON.stringify(document)).not.toContain('#/$defs/');
    expect(getRun.responses['404'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ApiError' });
    const start = document.paths['/api/v1/workflows/{name}/runs'].post;
    expect(start.requestBody.content['application/json'].schema.properties).toHaveProperty('idempotencyKey');
    expect(Object.keys(start.responses)).toEqual(expect.arrayContaining(['201', '200', '400', '404']));
    expect((await fetch(`${stack.url}/api/docs`)).status).toBe(200);
  });

  // Last: it blocks the event loop for a few seconds, which would stale the keep-alive sockets of the tests after it.
  it('has every handler Nest registers bound to a route of the table, and every route served once', () => {
    // Nest ships as ESM, which Jest cannot load: the built controllers are read in a plain node process.
    const controllers = join(__dirname, '..', 'dist', 'apps', 'scheduler', 'src', 'api', 'api-controllers.js');
    const script = `
      require('reflect-metadata');
      const { API_CONTROLLERS } = require(${JSON.stringify(controllers)});
      const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL', 'OPTIONS', 'HEAD'];
      const found = [];
      for (const controller of API_CONTROLLERS) {
        const prefix = String(Reflect.getMetadata('path', controller) ?? '/');
        for (const key of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = controller.prototype[key];
          const path = typeof handler === 'function' ? Reflect.getMetadata('path', handler) : undefined;
          if (key === 'constructor' || path === undefined) continue;
          const full = ('/' + prefix + '/' + path).replace(/\\/+/g, '/').replace(/(.)\\/$/, '$1');
          found.push({ route: METHODS[Reflect.getMetadata('method', handler)] + ' ' + full, name: Reflect.getMetadata('flowctl:contract-route', handler) ?? null, handler: controller.name + '.' + key });
        }
      }
      process.stdout.write(JSON.stringify(found));`;
    const registered = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 })) as {
      route: string;
      name: string | null;
      handler: string;
    }[];
    expect(registered.filter((handler) => handler.name === null).map((handler) => handler.handler)).toEqual([]);
    expect(registered.map((handler) => handler.route).sort()).toEqual(
      Object.values(ROUTES)
        .map((route) => `${route.method} ${route.path}`)
        .sort(),
    );
    expect(registered.map((handler) => handler.name).sort()).toEqual(Object.keys(ROUTES).sort());
  });
});
