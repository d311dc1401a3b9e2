import { createHmac, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { freePort } from '../apps/flowctl/src/dev/embedded-database';
import { TestApi } from './support/api-client';
import { runFlowctl } from './support/flowctl-cli';
import { FlowctlStack } from './support/flowctl-stack';
import { waitFor } from './support/wait-for';
import { aWorkflow } from './support/workflow-factory';

/**
 * Events in (docs/events.md) against a real scheduler, worker, PostgreSQL and Redis: each kind of
 * trigger, signed hooks, a retrying sender, loops of workflowRun triggers and the emitter role.
 */
const ADMIN_TOKEN = 'events-admin-token-0123456789abcdef';
const HOOK_SECRET = 'hook-secret-value';
const SCHEDULER_ENV = { FLOWCTL_ADMIN_TOKEN: ADMIN_TOKEN, FLOWCTL_SECRET_KEY: randomBytes(32).toString('base64') };

const hmacHex = (secret: string, ...pieces: (string | Buffer)[]) => {
  const mac = createHmac('sha256', secret);
  for (const piece of pieces) mac.update(piece);
  return mac.digest('hex');
};

describe('events in', () => {
  let stack: FlowctlStack;

  /** POSTs a hook call with exactly these bytes and headers. */
  const callHook = async (name: string, body: string, headers: Record<string, string>) => {
    const response = await fetch(`${stack.url}/api/v1/hooks/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const metric = async (name: string, labels: string) => {
    const text = (await stack.api.get('/metrics')).body as string;
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };
  /** An event is answered once stored; the runs it promised start a moment later, under the ids it gave. */
  const startedRun = (runId: string) =>
    waitFor(
      async () => {
        const response = await stack.api.get(`/runs/${runId}`);
        return response.status === 200 ? response.body : undefined;
      },
      { timeoutMs: 20_000, what: `run ${runId}, promised by an event, to start` },
    );

  beforeAll(async () => {
    stack = await FlowctlStack.start({
      label: 'events',
      schedulerEnv: SCHEDULER_ENV,
    });
    expect((await stack.api.request('PUT', '/secrets/GITHUB_HOOK', { value: HOOK_SECRET })).status).toBeLessThan(300);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('starts a run of each workflow whose trigger matches, with inputs mapped from the event, and records it', async () => {
    for (const [name, filter] of [
      ['fulfil-order', '{{ event.data.total > 100 }}'],
      ['small-orders', '{{ event.data.total <= 100 }}'],
    ])
      expect(
        (
          await stack.api.applyYaml(
            aWorkflow({
              name: name!,
              spec: {
                inputs: { order: { type: 'string' }, total: { type: 'number' } },
                on: [{ event: 'order.created', filter, inputs: { order: '{{ event.data.id }}', total: '{{ event.data.total }}' } }],
              },
              tasks: [{ name: 'pack', type: 'noop', with: { order: '{{ inputs.order }}' } }],
            }),
          )
        ).status,
      ).toBe(200);

    const sent = await stack.api.post('/events', { name: 'order.created', id: 'order-1', data: { id: 'o-1', total: 250 } });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ id: 'order-1', outcome: 'matched', source: 'api', runs: [{ workflow: 'fulfil-order' }] });
    const runId = sent.body.runs[0].runId as string;
    const run = await waitFor(
      async () => {
        const found = (await stack.api.get(`/runs/${runId}`)).body;
        return found.status === 'succeeded' ? found : undefined;
      },
      { timeoutMs: 20_000, what: 'the event run to succeed' },
    );
    expect(run.inputs).toEqual({ order: 'o-1', total: 250 });
    expect(run.event).toMatchObject({ id: 'order-1', name: 'order.created', source: 'api' });

    const listed = (await stack.api.get('/events?name=order.created')).body;
    expect(listed.items.map((event: any) => event.id)).toContain('order-1');
    expect((await stack.api.get('/events/order-1')).body).toMatchObject({ outcome: 'matched', data: { id: 'o-1', total: 250 } });
  });

  it('starts nothing twice when a sender retries, with its id or without one (the id is derived from name and data)', async () => {
    const first = await stack.api.post('/events', { name: 'order.created', id: 'order-2', data: { id: 'o-2', total: 500 } });
    const again = await stack.api.post('/events', { name: 'order.created', id: 'order-2', data: { id: 'o-2', total: 500 } });
    expect(again.body.runs).toEqual(first.body.runs);

    const unnamed = { name: 'order.created', data: { total: 999, id: 'o-3' } };
    const a = await stack.api.post('/events', unnamed);
    const b = await stack.api.post('/events', { name: 'order.created', data: { id: 'o-3', total: 999 } });
    expect(a.body.id).toMatch(/^[0-9a-f]{64}$/);
    expect(b.body.id).toBe(a.body.id);
    expect(b.body.runs).toEqual(a.body.runs);
    await startedRun(first.body.runs[0].runId);
    await startedRun(a.body.runs[0].runId);
    const runs = (await stack.api.get('/runs?workflow=fulfil-order&limit=100')).body.items as any[];
    expect(runs.filter((run) => run.idempotencyKey === 'event:order-2')).toHaveLength(1);
    expect(runs.filter((run) => run.idempotencyKey === `event:${a.body.id}`)).toHaveLength(1);
  });

  it('sends events from the CLI (flowctl emit), lists them (flowctl get events) and names the event in describe run', async () => {
    const env = { FLOWCTL_TOKEN: ADMIN_TOKEN };
    const emitted = await runFlowctl(
      ['--server', stack.url, 'emit', 'order.created', '--data', '{"id":"o-9","total":300}', '--id', 'cli-1'],
      { env },
    );
    expect(emitted.code).toBe(0);
    expect(emitted.stdout).toMatch(/^event\/cli-1 matched\n {2}run\/\S+ \(fulfil-order\)\n/);
    const runId = /run\/(\S+)/.exec(emitted.stdout)![1]!;
    await startedRun(runId);
    const listed = await runFlowctl(['--server', stack.url, 'get', 'events'], { env });
    expect(listed.stdout).toMatch(/cli-1 +order\.created +default +api +matched +1 /);
    const described = await runFlowctl(['--server', stack.url, 'describe', 'run', runId], { env });
    expect(described.stdout).toMatch(/Started by: +event order\.created \(id cli-1, from api,/);
    const bad = await runFlowctl(['--server', stack.url, 'emit', 'order.created', '--data', '{nope'], { env });
    expect(bad.code).toBe(2);

    // --wait follows the runs the event starts (created just after the answer) to their end.
    const waited = await runFlowctl(
      ['--server', stack.url, 'emit', 'order.created', '--data', '{"id":"o-10","total":20}', '--id', 'cli-2', '--wait'],
      { env },
    );
    expect(waited.code).toBe(0);
    expect(waited.stdout).toMatch(/^event\/cli-2 matched\n {2}run\/(\S+) \(small-orders\)\n/);
    expect(waited.stdout).toMatch(/small-orders: pack succeeded\n/);
    expect(waited.stdout).toMatch(/run\/\S+ \(small-orders\) succeeded\n$/);
  });

  it('records events that match no trigger, and refuses malformed, invalid and oversized ones, counting each', async () => {
    expect((await stack.api.post('/events', { name: 'nobody.listens', data: {} })).body).toMatchObject({ outcome: 'unmatched', runs: [] });
    const malformedBefore = await metric('flowctl_events_rejected_total', 'reason="malformed"');
    const bad = await stack.api.request('POST', '/events', '{"name": "x", ');
    expect(bad.status).toBe(400);
    expect(await metric('flowctl_events_rejected_total', 'reason="malformed"')).toBe(malformedBefore + 1);
    const invalid = await stack.api.post('/events', { name: 'has spaces', data: {} });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toMatch(/name must be letters/);
    const huge = await stack.api.post('/events', { name: 'big', data: 'x'.repeat(300_000) });
    expect(huge.status).toBe(413);
    expect(await metric('flowctl_events_rejected_total', 'reason="too_large"')).toBeGreaterThanOrEqual(1);
  });

  it('refuses at apply a trigger with unknown fields, a bad filter or inputs the workflow does not declare, with the path', async () => {
    const refused = await stack.api.applyYaml(
      aWorkflow({
        name: 'bad-trigger',
        spec: { inputs: { order: { type: 'string' } }, on: [{ event: 'x', filter: '{{ event.data. }}', inputs: { ordr: 'a' } }] },
        tasks: [{ name: 'a' }],
      }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/spec\.on\[0\]\.filter: /);
    expect(refused.body.message).toMatch(/spec\.on\[0\]\.inputs\.ordr: unknown input "ordr"/);
  });

  describe('signed hooks', () => {
    beforeAll(async () => {
      for (const [name, signature] of [
        ['on-push', 'github'],
        ['on-plain', 'hmac-sha256'],
        ['on-stamped', 'timestamped'],
      ])
        expect(
          (
            await stack.api.applyYaml(
              aWorkflow({
                name: name!,
                spec: {
                  inputs: { ref: { type: 'string' } },
                  on: [{ hook: { name: name!, secret: 'GITHUB_HOOK', signature }, inputs: { ref: '{{ event.data.ref }}' } }],
                },
                tasks: [{ name: 'build' }],
              }),
            )
          ).status,
        ).toBe(200);
    });

    it('starts a run for a good GitHub, plain hex and timestamped signature over the raw body', async () => {
      const body = '{"ref":  "refs/heads/main"}';
      const github = await callHook('on-push', body, {
        'x-hub-signature-256': `sha256=${hmacHex(HOOK_SECRET, body)}`,
        'x-github-delivery': 'delivery-1',
      });
      expect(github.status).toBe(200);
      expect(github.body).toMatchObject({ id: 'delivery-1', source: 'hook', outcome: 'matched', runs: [{ workflow: 'on-push' }] });
      const plain = await callHook('on-plain', body, { 'x-signature-256': hmacHex(HOOK_SECRET, body) });
      expect(plain.body).toMatchObject({ outcome: 'matched', runs: [{ workflow: 'on-plain' }] });
      const t = String(Math.floor(Date.now() / 1000));
      const stamped = await callHook('on-stamped', body, { 'x-signature': `t=${t},v1=${hmacHex(HOOK_SECRET, `${t}.`, body)}` });
      expect(stamped.body).toMatchObject({ outcome: 'matched', runs: [{ workflow: 'on-stamped' }] });
      const run = await startedRun(github.body.runs[0].runId);
      await startedRun(plain.body.runs[0].runId);
      await startedRun(stamped.body.runs[0].runId);
      expect(run.inputs).toEqual({ ref: 'refs/heads/main' });
    });

    it('answers 401 and starts nothing for a bad, missing or replayed signature, recording and counting each refusal', async () => {
      const body = '{"ref":"refs/heads/evil"}';
      const before = (await stack.api.get('/runs?workflow=on-push&limit=100')).body.items.length;
      const badBefore = await metric('flowctl_events_rejected_total', 'reason="signature_bad"');
      const bad = await callHook('on-push', body, { 'x-hub-signature-256': `sha256=${hmacHex('wrong-secret', body)}` });
      expect(bad.status).toBe(401);
      const missing = await callHook('on-push', body, {});
      expect(missing.status).toBe(401);
      const old = String(Math.floor(Date.now() / 1000) - 3600);
      const replayed = await callHook('on-stamped', body, { 'x-signature': `t=${old},v1=${hmacHex(HOOK_SECRET, `${old}.`, body)}` });
      expect(replayed.status).toBe(401);
      expect(replayed.body.message).toMatch(/expired/);
      expect((await stack.api.get('/runs?workflow=on-push&limit=100')).body.items.length).toBe(before);
      expect(await metric('flowctl_events_rejected_total', 'reason="signature_bad"')).toBe(badBefore + 1);
      expect(await metric('flowctl_events_rejected_total', 'reason="signature_missing"')).toBeGreaterThanOrEqual(1);
      expect(await metric('flowctl_events_rejected_total', 'reason="signature_expired"')).toBeGreaterThanOrEqual(1);
      const rejected = (await stack.api.get('/events?outcome=rejected&name=on-push')).body.items;
      expect(rejected.map((event: any) => event.reason)).toEqual(expect.arrayContaining(['signature invalid', 'signature missing']));
      expect(rejected.every((event: any) => event.data === null)).toBe(true);
    });

    it('answers 404 for a hook no workflow declares', async () => {
      expect((await callHook('no-such-hook', '{}', {})).status).toBe(404);
    });
  });

  describe('accepted, then started', () => {
    it('starts the runs an accepted event owes under the promised ids after the scheduler that accepted it died, and says which could not start', async () => {
      expect(
        (
          await stack.api.applyYaml(
            aWorkflow({ name: 'owed-flow', spec: { inputs: { n: { type: 'number' } } }, tasks: [{ name: 'a', type: 'noop' }] }),
          )
        ).status,
      ).toBe(200);
      await stack.killScheduler();
      // What accepting wrote before the crash: the event with its promised runs, their links and the outbox rows,
      // one for a workflow deleted since. Their lease ran out with the scheduler.
      const owed = '0190f0c0-0000-7000-8000-000000000001';
      const gone = '0190f0c0-0000-7000-8000-000000000002';
      const db = new Client({ connectionString: stack.database.url });
      await db.connect();
      try {
        const runs = JSON.stringify([
          { workflow: 'owed-flow', runId: owed },
          { workflow: 'gone-flow', runId: gone },
        ]);
        await db.query(
          `INSERT INTO events (namespace, id, name, source, data, outcome, reason, runs) VALUES ('default', 'owed-1', 'owed', 'api', '{}', 'matched', NULL, $1)`,
          [runs],
        );
        await db.query(`INSERT INTO event_runs (run_id, namespace, event_id) VALUES ($1, 'default', 'owed-1'), ($2, 'default', 'owed-1')`, [
          owed,
          gone,
        ]);
        await db.query(
          `INSERT INTO event_starts (run_id, namespace, event_id, workflow_name, inputs, due_at)
           VALUES ($1, 'default', 'owed-1', 'owed-flow', '{"n": 7}', now()), ($2, 'default', 'owed-1', 'gone-flow', '{}', now())`,
          [owed, gone],
        );
      } finally {
        await db.end();
      }
      await stack.startScheduler(SCHEDULER_ENV);

      const run = await stack.waitForRun(owed, 30_000);
      expect(run).toMatchObject({ status: 'succeeded', inputs: { n: 7 }, idempotencyKey: 'event:owed-1' });
      expect(run.event).toMatchObject({ id: 'owed-1', name: 'owed' });
      const event = await waitFor(
        async () => {
          const found = (await stack.api.get('/events/owed-1')).body;
          return found.reason ? found : undefined;
        },
        { timeoutMs: 20_000, what: 'the event to say which run could not start' },
      );
      expect(event).toMatchObject({ outcome: 'matched', runs: [{ workflow: 'owed-flow', runId: owed }] });
      expect(event.reason).toMatch(/gone-flow: workflow "gone-flow" not found/);
      expect((await stack.api.get(`/runs/${gone}`)).status).toBe(404);
      const check = new Client({ connectionString: stack.database.url });
      await check.connect();
      try {
        await waitFor(async () => (await check.query(`SELECT 1 FROM event_starts`)).rowCount === 0, {
          timeoutMs: 10_000,
          what: 'the outbox to empty',
        });
      } finally {
        await check.end();
      }
    });

    it('starts runs for a trigger applied after its event name was first seen, on every scheduler, and none once it is deleted', async () => {
      const standbyPort = await freePort();
      const standbyProcess = await stack.startScheduler({ ...SCHEDULER_ENV, PORT: String(standbyPort) });
      const standby = new TestApi(`http://127.0.0.1:${standbyPort}`, ADMIN_TOKEN);
      let n = 0;
      const send = async (api: TestApi) => (await api.post('/events', { name: 'late.listener', id: `late-${n++}`, data: {} })).body;
      expect((await send(stack.api)).outcome).toBe('unmatched');
      expect((await send(standby)).outcome).toBe('unmatched');

      const listening = aWorkflow({
        name: 'late-listener',
        spec: { on: [{ event: 'late.listener' }] },
        tasks: [{ name: 'a', type: 'noop' }],
      });
      expect((await stack.api.applyYaml(listening)).status).toBe(200);
      // The scheduler that applied knows at once; the other hears the change at its commit.
      expect((await send(stack.api)).outcome).toBe('matched');
      await waitFor(async () => (await send(standby)).outcome === 'matched', { timeoutMs: 10_000, what: 'the standby to see the trigger' });

      expect((await stack.api.request('DELETE', '/workflows/late-listener')).status).toBe(200);
      expect((await send(stack.api)).outcome).toBe('unmatched');
      await waitFor(async () => (await send(standby)).outcome === 'unmatched', { timeoutMs: 10_000, what: 'the standby to forget it' });
      standbyProcess.child.kill('SIGTERM');
      await standbyProcess.exited;
    });

    it('answers a read of a promised run once the run exists, and a 404 that says so for a run still owed', async () => {
      expect(
        (
          await stack.api.applyYaml(
            aWorkflow({ name: 'promised-flow', spec: { on: [{ event: 'promised.now' }] }, tasks: [{ name: 'a', type: 'noop' }] }),
          )
        ).status,
      ).toBe(200);
      // Runs read straight after their event's answer: each is there, however soon it is asked for.
      for (let i = 0; i < 20; i++) {
        const answer = await stack.api.post('/events', { name: 'promised.now', id: `promised-now-${i}`, data: {} });
        expect(answer.status).toBe(200);
        expect(answer.body.runs).toHaveLength(1);
        expect((await stack.api.get(`/runs/${answer.body.runs[0].runId}`)).status).toBe(200);
      }

      // Two runs an event owes whose start is not due for an hour, as if the scheduler that accepted it had died.
      const waited = '0190f0c0-0000-7000-8000-000000000011';
      const stillOwed = '0190f0c0-0000-7000-8000-000000000012';
      const db = new Client({ connectionString: stack.database.url });
      await db.connect();
      try {
        await db.query(
          `INSERT INTO events (namespace, id, name, source, data, outcome, reason, runs) VALUES ('default', 'promised-1', 'promised', 'api', '{}', 'matched', NULL, $1)`,
          [JSON.stringify([waited, stillOwed].map((runId) => ({ workflow: 'promised-flow', runId })))],
        );
        await db.query(
          `INSERT INTO event_runs (run_id, namespace, event_id) VALUES ($1, 'default', 'promised-1'), ($2, 'default', 'promised-1')`,
          [waited, stillOwed],
        );
        await db.query(
          `INSERT INTO event_starts (run_id, namespace, event_id, workflow_name, inputs, due_at)
           VALUES ($1, 'default', 'promised-1', 'promised-flow', '{}', now() + interval '1 hour'), ($2, 'default', 'promised-1', 'promised-flow', '{}', now() + interval '1 hour')`,
          [waited, stillOwed],
        );
        let answered = false;
        const read = stack.api.get(`/runs/${waited}`).finally(() => (answered = true));
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(answered).toBe(false); // waiting for the run, not a 404
        // The leader starts it once due.
        await db.query(`UPDATE event_starts SET due_at = now() WHERE run_id = $1`, [waited]);
        await db.query(`NOTIFY flowctl_timers`);
        const run = await read;
        expect(run.status).toBe(200);
        expect(run.body).toMatchObject({ id: waited, workflow: 'promised-flow', event: { id: 'promised-1' } });

        const owed = await stack.api.get(`/runs/${stillOwed}`);
        expect(owed.status).toBe(404);
        expect(owed.body.message).toMatch(/owed by event promised-1 and has not started yet/);
      } finally {
        await db.query(`DELETE FROM event_starts WHERE run_id = $1`, [stillOwed]);
        await db.end();
      }
    });
  });

  describe('after another workflow', () => {
    it('starts a run when a run of the upstream workflow ends as the trigger says, with its outputs as event.data, once', async () => {
      expect(
        (await stack.api.applyYaml(aWorkflow({ name: 'etl-daily', tasks: [{ name: 'load', type: 'noop', with: { rows: 42 } }] }))).status,
      ).toBe(200);
      const applied = await stack.api.applyYaml(
        aWorkflow({
          name: 'report',
          spec: {
            inputs: { rows: { type: 'integer' }, upstream: { type: 'string' } },
            on: [
              {
                workflowRun: { name: 'etl-daily', status: ['succeeded'] },
                inputs: { rows: '{{ event.data.outputs.load.rows }}', upstream: '{{ event.data.runId }}' },
              },
            ],
          },
          tasks: [{ name: 'send' }],
        }),
      );
      expect(applied.body).toMatchObject({ result: 'created' });
      const upstream = (await stack.api.post('/workflows/etl-daily/runs', {})).body.id as string;
      const report = await waitFor(
        async () =>
          ((await stack.api.get('/runs?workflow=report&limit=10')).body.items as any[]).find((run) => run.inputs.upstream === upstream),
        { timeoutMs: 20_000, what: 'the report run after etl-daily' },
      );
      expect(report.inputs).toEqual({ rows: 42, upstream });
      expect(report.idempotencyKey).toBe(`event:${upstream}`);
      const detail = (await stack.api.get(`/runs/${report.id}`)).body;
      expect(detail.event).toMatchObject({ id: upstream, name: 'etl-daily', source: 'workflowRun' });
      // The outbox row is gone once handled, and nothing started a second report run.
      const db = new Client({ connectionString: stack.database.url });
      await db.connect();
      try {
        await waitFor(async () => (await db.query(`SELECT count(*)::int AS n FROM run_end_outbox`)).rows[0].n === 0, {
          timeoutMs: 10_000,
          what: 'the outbox to drain',
        });
      } finally {
        await db.end();
      }
      const reports = ((await stack.api.get('/runs?workflow=report&limit=100')).body.items as any[]).filter(
        (run) => run.inputs.upstream === upstream,
      );
      expect(reports).toHaveLength(1);
    });

    it('starts the waiting run after a restart when the scheduler stopped between the end of the upstream run and its drain', async () => {
      // An upstream run that ended, and its outbox row as the ending transaction writes it, with no scheduler running to drain it.
      expect((await stack.api.applyYaml(aWorkflow({ name: 'etl-late', tasks: [{ name: 'load' }] }))).status).toBe(200);
      const upstream = (await stack.waitForRun((await stack.api.post('/workflows/etl-late/runs', {})).body.id)).id as string;
      const listener = aWorkflow({
        name: 'report-late',
        spec: {
          inputs: { upstream: { type: 'string' } },
          on: [{ workflowRun: { name: 'etl-late' }, inputs: { upstream: '{{ event.data.runId }}' } }],
        },
        tasks: [{ name: 'send' }],
      });
      expect((await stack.api.applyYaml(listener)).status).toBe(200);
      await stack.killScheduler();
      const db = new Client({ connectionString: stack.database.url });
      await db.connect();
      try {
        await db.query(
          `INSERT INTO run_end_outbox (run_id, namespace, workflow_name, status) VALUES ($1, 'default', 'etl-late', 'succeeded')`,
          [upstream],
        );
      } finally {
        await db.end();
      }
      await stack.startScheduler(SCHEDULER_ENV);
      const started = await waitFor(
        async () => {
          const runs = (await stack.api.get('/runs?workflow=report-late&limit=100')).body.items as any[] | undefined;
          return runs && runs.length > 0 ? runs : undefined;
        },
        { timeoutMs: 20_000, what: 'the report-late run after the restart' },
      );
      expect(started.map((run) => run.inputs)).toEqual([{ upstream }]);
    });

    it('refuses at apply workflowRun triggers that would loop, naming the loop', async () => {
      await stack.api.applyYaml(aWorkflow({ name: 'loop-a', spec: { on: [{ workflowRun: { name: 'loop-b' } }] }, tasks: [{ name: 'a' }] }));
      const refused = await stack.api.applyYaml(
        aWorkflow({ name: 'loop-b', spec: { on: [{ workflowRun: { name: 'loop-a' } }] }, tasks: [{ name: 'b' }] }),
      );
      expect(refused.status).toBe(400);
      expect(refused.body.message).toMatch(/loop-(a|b) -> loop-(a|b) -> loop-(a|b)/);
      expect((await stack.api.get('/workflows/loop-b')).status).toBe(404);
      const self = await stack.api.applyYaml(
        aWorkflow({ name: 'loop-self', spec: { on: [{ workflowRun: { name: 'loop-self' } }] }, tasks: [{ name: 's' }] }),
      );
      expect(self.body.message).toMatch(/loop-self -> loop-self/);
    });
  });

  describe('the emitter role', () => {
    it('may send events to its namespaces only, and do nothing else', async () => {
      await stack.api.applyYaml(
        aWorkflow({ name: 'team-flow', metadata: { namespace: 'team-a' }, spec: { on: [{ event: 'team.ping' }] }, tasks: [{ name: 'a' }] }),
      );
      const created = await stack.api.post('/tokens', { role: 'emitter', namespaces: ['team-a'], name: 'sender' });
      expect(created.status).toBe(201);
      const emitter = stack.api.as(created.body.token);
      const sent = await emitter.post('/events', { name: 'team.ping', data: {} });
      expect(sent.status).toBe(200);
      expect(sent.body).toMatchObject({ namespace: 'team-a', outcome: 'matched', runs: [{ workflow: 'team-flow' }] });
      const audit = (await stack.api.get('/audit?limit=500')).body.items as any[];
      expect(audit.find((entry) => entry.action === 'event.emit' && entry.target === sent.body.id)).toMatchObject({
        actor: 'sender',
        tokenId: created.body.id,
        namespace: 'team-a',
        outcome: 'succeeded',
        statusCode: 200,
      });
      expect((await emitter.post('/events?namespace=default', { name: 'team.ping', data: {} })).status).toBe(403);
      expect((await emitter.get('/runs')).status).toBe(403);
      expect((await emitter.get('/events')).status).toBe(403);
      expect((await emitter.post('/workflows/team-flow/runs?namespace=team-a', {})).status).toBe(403);
    });
  });
});
