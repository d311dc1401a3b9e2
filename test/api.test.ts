import { dump } from 'js-yaml';
import { FlowctlStack } from './support/flowctl-stack';
import { waitFor } from './support/wait-for';
import { aliasBombWorkflow, aWorkflow } from './support/workflow-factory';

// The integration project's testTimeout in jest.config.js is a project option jest ignores: set it here.
jest.setTimeout(60_000);

/** The same shape as a YAML apply, as a JSON body. */
const aWorkflowObject = (name: string, tasks: Record<string, unknown>[]) => ({
  apiVersion: 'flowctl/v1',
  kind: 'Workflow',
  metadata: { name },
  spec: { tasks: tasks.map((task) => ({ type: 'noop', ...task })) },
});

describe('the REST API', () => {
  let stack: FlowctlStack;

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'api' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** Follows nextCursor from the first page to the last; fails if a page is larger than asked. */
  async function walkPages(path: string, limit: number): Promise<{ items: any[]; pages: number }> {
    const items: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const { status, body }: { status: number; body: any } = await stack.api.get(
        `${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(status).toBe(200);
      expect(body.items.length).toBeLessThanOrEqual(limit);
      items.push(...body.items);
      cursor = body.nextCursor;
      pages += 1;
      if (pages > 100) throw new Error(`${path} did not reach its last page`);
    } while (cursor !== null);
    return { items, pages };
  }

  describe('workflows', () => {
    it('applies a new definition as created, the same content as unchanged (version kept), and changed content as configured', async () => {
      const v1 = aWorkflow({ name: 'apply-cycle', tasks: [{ name: 'a', with: { n: 1 } }] });
      expect(await stack.api.applyYaml(v1)).toEqual({
        status: 200,
        body: { name: 'apply-cycle', namespace: 'default', version: 1, result: 'created' },
      });
      expect(await stack.api.applyYaml(v1)).toEqual({
        status: 200,
        body: { name: 'apply-cycle', namespace: 'default', version: 1, result: 'unchanged' },
      });
      const v2 = aWorkflow({ name: 'apply-cycle', tasks: [{ name: 'a', with: { n: 2 } }] });
      expect(await stack.api.applyYaml(v2)).toEqual({
        status: 200,
        body: { name: 'apply-cycle', namespace: 'default', version: 2, result: 'configured' },
      });

      const { status, body } = await stack.api.get('/workflows/apply-cycle');
      expect(status).toBe(200);
      expect(body).toMatchObject({ name: 'apply-cycle', namespace: 'default', version: 2 });
      expect(body.versions.map((v: any) => v.version).sort()).toEqual([1, 2]);
      expect(body.spec.tasks).toEqual([expect.objectContaining({ name: 'a', type: 'noop', with: { n: 2 } })]);
    });

    it('applies a JSON body, and treats the same content sent as YAML as unchanged', async () => {
      const document = aWorkflowObject('from-json', [{ name: 'a', with: { greeting: 'hi' } }]);
      const created = await stack.api.request('PUT', '/workflows', document);
      expect(created).toEqual({ status: 200, body: { name: 'from-json', namespace: 'default', version: 1, result: 'created' } });
      const asYaml = aWorkflow({ name: 'from-json', tasks: [{ name: 'a', with: { greeting: 'hi' } }] });
      expect((await stack.api.applyYaml(asYaml)).body).toMatchObject({ version: 1, result: 'unchanged' });
      expect((await stack.api.get('/workflows/from-json')).body.spec.tasks[0]).toMatchObject({ name: 'a', with: { greeting: 'hi' } });
    });

    it('lists workflows as {items, nextCursor}, and limit=1 walks every one of them once', async () => {
      for (const name of ['list-a', 'list-b', 'list-c'])
        expect((await stack.api.applyYaml(aWorkflow({ name, tasks: [{ name: 'a' }] }))).status).toBe(200);
      const all = await stack.api.get('/workflows?limit=500');
      expect(all.status).toBe(200);
      expect(all.body.nextCursor).toBeNull();
      const names = all.body.items.map((w: any) => w.name);
      expect(names).toEqual(expect.arrayContaining(['list-a', 'list-b', 'list-c']));
      expect(all.body.items[0]).toEqual(
        expect.objectContaining({ name: expect.any(String), namespace: 'default', version: expect.any(Number) }),
      );

      const walked = await walkPages('/workflows', 1);
      expect(walked.items.map((w) => w.name)).toEqual(names);
      expect(walked.pages).toBe(names.length);
    });

    it('deletes a workflow: it is gone, and a run started before the delete is still readable and finishes', async () => {
      await stack.api.applyYaml(
        aWorkflow({
          name: 'to-delete',
          tasks: [
            { name: 'nap', type: 'sleep', with: { duration: '300ms' } },
            { name: 'after', dependsOn: ['nap'] },
          ],
        }),
      );
      const started = await stack.api.post('/workflows/to-delete/runs');
      expect(started.status).toBe(201);

      expect(await stack.api.request('DELETE', '/workflows/to-delete')).toMatchObject({
        status: 200,
        body: { name: 'to-delete', result: 'deleted' },
      });
      expect((await stack.api.get('/workflows/to-delete')).status).toBe(404);
      expect((await stack.api.get('/workflows?limit=500')).body.items.map((w: any) => w.name)).not.toContain('to-delete');
      expect((await stack.api.request('DELETE', '/workflows/to-delete')).status).toBe(404);
      expect((await stack.api.post('/workflows/to-delete/runs')).status).toBe(404);

      const run = await stack.waitForRun(started.body.id);
      expect(run).toMatchObject({ id: started.body.id, workflow: 'to-delete', status: 'succeeded' });
      expect((await stack.api.get(`/runs/${started.body.id}/events`)).body.items.length).toBeGreaterThan(0);
    });
  });

  describe('rejected definitions', () => {
    const valid = (name: string) => aWorkflowObject(name, [{ name: 'a' }]);
    const withTasks = (name: string, tasks: Record<string, unknown>[], spec: Record<string, unknown> = {}) => ({
      ...aWorkflowObject(name, tasks),
      spec: { ...spec, tasks: tasks.map((task) => ({ type: 'noop', ...task })) },
    });
    // Sent as YAML text, the way `flowctl apply` sends a file.
    const yaml = (document: object) => dump(document);

    const cases: { what: string; name: string; body: string | object; message: RegExp | string; status?: number[] }[] = [
      {
        what: 'an unknown field, named in the message',
        name: 'bad-unknown-field',
        body: yaml(withTasks('bad-unknown-field', [{ name: 'a', retires: 3 }])),
        message: 'spec.tasks[0].retires: unknown field "retires"',
      },
      {
        what: 'duplicate task names',
        name: 'bad-duplicate',
        body: yaml(withTasks('bad-duplicate', [{ name: 'a' }, { name: 'a' }])),
        message: 'duplicate task name "a"',
      },
      {
        what: 'an unknown dependency, with a did-you-mean',
        name: 'bad-dependency',
        body: yaml(withTasks('bad-dependency', [{ name: 'load' }, { name: 'b', dependsOn: ['lod'] }])),
        message: 'unknown task "lod" (did you mean "load"?)',
      },
      {
        what: 'a cycle, spelled out',
        name: 'bad-cycle',
        body: yaml(
          withTasks('bad-cycle', [
            { name: 'a', dependsOn: ['c'] },
            { name: 'b', dependsOn: ['a'] },
            { name: 'c', dependsOn: ['b'] },
          ]),
        ),
        message: 'a -> b -> c -> a',
      },
      {
        what: 'a bad duration',
        name: 'bad-duration',
        body: yaml(withTasks('bad-duration', [{ name: 'a', timeout: '5 minutes' }])),
        message: 'spec.tasks[0].timeout: invalid duration "5 minutes"',
      },
      { what: 'a bad workflow name', name: 'Bad_Name', body: valid('Bad_Name'), message: 'metadata.name: invalid name "Bad_Name"' },
      {
        what: 'a bad task name',
        name: 'bad-task-name',
        body: yaml(withTasks('bad-task-name', [{ name: 'Task_A' }])),
        message: 'spec.tasks[0].name: invalid name "Task_A"',
      },
      {
        what: 'a reference to a task that is not upstream',
        name: 'bad-reference',
        body: yaml(withTasks('bad-reference', [{ name: 'a' }, { name: 'b', with: { x: '{{ tasks.a.output.x }}' } }])),
        message: 'task "b" references tasks.a, which is not upstream of it',
      },
      {
        what: 'a reference to an undeclared input',
        name: 'bad-input-reference',
        body: yaml(withTasks('bad-input-reference', [{ name: 'a', with: { x: '{{ inputs.nope }}' } }])),
        message: 'unknown input "nope"',
      },
      {
        what: 'a YAML syntax error, with its line',
        name: 'bad-syntax',
        body: 'apiVersion: flowctl/v1\nkind: Workflow\nmetadata: { name: bad-syntax\nspec: [',
        message: /invalid YAML: .*line \d+/,
      },
      { what: 'an alias bomb (billion laughs)', name: 'laughs', body: aliasBombWorkflow('laughs'), message: /alias|expands/ },
      {
        what: 'a wrong apiVersion',
        name: 'bad-api-version',
        body: { ...valid('bad-api-version'), apiVersion: 'flowctl/v2' },
        message: 'apiVersion: must be "flowctl/v1"',
      },
      { what: 'an empty body', name: 'empty', body: '', message: /empty/ },
      { what: 'a blank YAML body', name: 'blank', body: '   \n\n', message: /empty/ },
      { what: 'a JSON array body', name: 'array', body: [valid('array')], message: /mapping|object/ },
      { what: 'a body that is not valid JSON', name: 'not-json', body: '{"apiVersion": ', message: /JSON/ },
    ];

    it.each(cases)('rejects at apply time $what: 400 with a useful message, nothing stored', async ({ name, body, message }) => {
      const response =
        typeof body === 'string'
          ? name === 'not-json'
            ? await stack.api.request('PUT', '/workflows', body, 'application/json')
            : await stack.api.applyYaml(body)
          : await stack.api.request('PUT', '/workflows', body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual(expect.objectContaining({ statusCode: 400, error: 'Bad Request', message: expect.any(String) }));
      if (typeof message === 'string') expect(response.body.message).toContain(message);
      else expect(response.body.message).toMatch(message);
      expect((await stack.api.get(`/workflows/${name}`)).status).toBe(404);
    });

    it.each([
      ['just over 1 MiB (the validator limit)', 1_100_000],
      ['over the request body limit', 3_000_000],
    ])('rejects a document %s with 400 or 413, never 500, and stores nothing', async (_what, size) => {
      const name = `too-big-${size}`;
      // Padded after dumping: js-yaml cannot dump a string this long.
      const document = aWorkflow({ name, tasks: [{ name: 'a', with: { padding: 'PADDING' } }] }).replace('PADDING', 'x'.repeat(size));
      const response = await stack.api.applyYaml(document);
      expect([400, 413]).toContain(response.status);
      expect(response.body).toEqual(expect.objectContaining({ statusCode: response.status, message: expect.any(String) }));
      expect((await stack.api.get(`/workflows/${name}`)).status).toBe(404);
    });

    it('stored none of the rejected workflows', async () => {
      const names = (await stack.api.get('/workflows?limit=500')).body.items.map((w: any) => w.name);
      for (const { name } of cases) expect(names).not.toContain(name);
      expect(names.filter((n: string) => n.startsWith('too-big') || n.startsWith('bad-'))).toEqual([]);
    });
  });

  describe('starting runs', () => {
    beforeAll(async () => {
      const applied = await stack.api.applyYaml(
        aWorkflow({
          name: 'with-inputs',
          spec: { inputs: { date: { type: 'string' }, count: { type: 'integer', default: 1 } } },
          tasks: [{ name: 'a', with: { date: '{{ inputs.date }}', count: '{{ inputs.count }}' } }],
        }),
      );
      expect(applied.status).toBe(200);
    });

    it('starts a run with 201 and returns it; the same idempotency key returns the same run with 200', async () => {
      const first = await stack.api.post('/workflows/with-inputs/runs', {
        inputs: { date: '2026-01-01' },
        idempotencyKey: 'nightly-2026-01-01',
      });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        id: expect.any(String),
        workflow: 'with-inputs',
        version: 1,
        inputs: { date: '2026-01-01', count: 1 },
      });
      expect(['pending', 'running', 'succeeded']).toContain(first.body.status);

      const again = await stack.api.post('/workflows/with-inputs/runs', {
        inputs: { date: '2026-01-01' },
        idempotencyKey: 'nightly-2026-01-01',
      });
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.body.id);

      const other = await stack.api.post('/workflows/with-inputs/runs', {
        inputs: { date: '2026-01-01' },
        idempotencyKey: 'nightly-2026-01-02',
      });
      expect(other.status).toBe(201);
      expect(other.body.id).not.toBe(first.body.id);
      expect((await stack.waitForRun(first.body.id)).tasks[0].output).toEqual({ date: '2026-01-01', count: 1 });
    });

    it.each([
      ['a missing required input', {}, 'input "date" is required'],
      ['an input of the wrong type', { date: 20260101 }, 'input "date" must be a string'],
      ['an unknown input', { date: '2026-01-01', colour: 'red' }, 'unknown input "colour"'],
    ])('refuses %s with 400 naming the input', async (_what, inputs, message) => {
      const response = await stack.api.post('/workflows/with-inputs/runs', { inputs });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(response.body.message).toContain(message);
    });

    it('answers 404 for an unknown workflow, a malformed run id and an unknown run id', async () => {
      const unknownWorkflow = await stack.api.post('/workflows/no-such-workflow/runs', {});
      expect(unknownWorkflow).toMatchObject({ status: 404, body: { statusCode: 404, error: 'Not Found' } });
      expect(unknownWorkflow.body.message).toContain('no-such-workflow');
      for (const path of [
        '/runs/not-a-uuid',
        '/runs/not-a-uuid/events',
        '/runs/0190b5f0-0000-7000-8000-000000000000',
        '/runs/0190b5f0-0000-7000-8000-000000000000/events',
      ]) {
        const response = await stack.api.get(path);
        expect({ path, status: response.status, statusCode: response.body.statusCode }).toEqual({ path, status: 404, statusCode: 404 });
      }
      expect((await stack.api.post('/runs/0190b5f0-0000-7000-8000-000000000000/cancel')).status).toBe(404);
    });
  });

  describe('listing runs', () => {
    const runIds: string[] = [];

    beforeAll(async () => {
      await stack.api.applyYaml(aWorkflow({ name: 'listed', tasks: [{ name: 'a' }] }));
      await stack.api.applyYaml(aWorkflow({ name: 'listed-failing', tasks: [{ name: 'a', type: 'fail' }] }));
      for (let i = 0; i < 5; i++) runIds.push((await stack.api.post('/workflows/listed/runs')).body.id);
      // Started together, several runs share a millisecond: pagination must not lose them at a page boundary.
      const burst = await Promise.all(Array.from({ length: 40 }, () => stack.api.post('/workflows/listed/runs')));
      runIds.push(...burst.map((r) => r.body.id));
      for (const id of [...runIds, (await stack.api.post('/workflows/listed-failing/runs')).body.id]) await stack.waitForRun(id);
    });

    it('lists the runs of a workflow newest first, and limit=2 walks them all exactly once', async () => {
      const all = await stack.api.get('/runs?workflow=listed&limit=500');
      expect(all.status).toBe(200);
      expect(all.body.nextCursor).toBeNull();
      expect(all.body.items.map((r: any) => r.id).sort()).toEqual([...runIds].sort());
      const created = all.body.items.map((r: any) => new Date(r.createdAt).getTime());
      expect(created).toEqual([...created].sort((a, b) => b - a));
      // The five started one after another come back in reverse order of starting.
      const sequential = all.body.items.map((r: any) => r.id).filter((id: string) => runIds.slice(0, 5).includes(id));
      expect(sequential).toEqual(runIds.slice(0, 5).reverse());

      const walked = await walkPages('/runs?workflow=listed', 2);
      expect(walked.items.map((r) => r.id)).toEqual(all.body.items.map((r: any) => r.id));
      expect(walked.pages).toBe(Math.ceil(runIds.length / 2));
    });

    it('filters runs by status', async () => {
      const failed = await stack.api.get('/runs?status=failed');
      expect(failed.status).toBe(200);
      expect(failed.body.items.length).toBeGreaterThanOrEqual(1);
      expect(failed.body.items.every((r: any) => r.status === 'failed')).toBe(true);
      expect(failed.body.items.map((r: any) => r.workflow)).toContain('listed-failing');
      const succeeded = await stack.api.get('/runs?workflow=listed&status=succeeded&limit=500');
      expect(succeeded.body.items).toHaveLength(runIds.length);
    });

    it.each([
      ['an unknown status', '/runs?status=bogus', /status must be one of/],
      ['a cursor the server did not issue', '/runs?cursor=garbage', /cursor/],
      ['a zero limit', '/runs?limit=0', /limit/],
      ['a limit that is not a number', '/runs?limit=ten', /limit/],
      ['a limit over the maximum', '/runs?limit=100000', /limit/],
    ])('refuses %s with 400', async (_what, path, message) => {
      const response = await stack.api.get(path);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(response.body.message).toMatch(message);
    });

    it.each([
      ['/runs', { createdAt: 'not a time', id: '0190b5f0-0000-7000-8000-000000000000' }],
      ['/runs', { createdAt: '2026-01-01T00:00:00.000Z', id: 'not-a-uuid' }],
      ['/dead-letters', { deadAt: 'not a time', id: '1' }],
      ['/dead-letters', { deadAt: '2026-01-01T00:00:00.000Z', id: '99999999999999999999999' }],
      ['/workers', { id: 42 }],
    ])('refuses a forged cursor for %s %j with 400, not 500', async (path, cursor) => {
      const forged = Buffer.from(JSON.stringify(cursor)).toString('base64url');
      const response = await stack.api.get(`${path}?cursor=${forged}`);
      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(/cursor/);
    });

    it('refuses a forged cursor for the events of a run with 400, not 500', async () => {
      const forged = Buffer.from(JSON.stringify({ id: '99999999999999999999999' })).toString('base64url');
      const response = await stack.api.get(`/runs/${runIds[0]}/events?cursor=${forged}`);
      expect(response.status).toBe(400);
    });

    it('returns the events of a run oldest first', async () => {
      const { status, body } = await stack.api.get(`/runs/${runIds[0]}/events`);
      expect(status).toBe(200);
      expect(body.nextCursor).toBeNull();
      const ids = body.items.map((e: any) => Number(e.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(body.items[0].type).toBe('run_created');
      expect(body.items[body.items.length - 1].type).toBe('run_succeeded');
    });
  });

  describe('large values in a run', () => {
    it('leaves an output too large for a page out of GET /runs/:id, flagged, and serves it whole from the task', async () => {
      // Varied strings so that PostgreSQL's compression cannot shrink them under the inline limit.
      const items = Array.from({ length: 20_000 }, (_, i) => `item-${(i * 2_654_435_761) % 1_000_003}`);
      await stack.api.applyYaml(aWorkflow({ name: 'big-output', tasks: [{ name: 'a', with: { items } }, { name: 'b' }] }));
      const run = await stack.waitForRun((await stack.api.post('/workflows/big-output/runs')).body.id);
      expect(run.status).toBe('succeeded');
      const [big, small] = run.tasks;
      expect(big).toMatchObject({ name: 'a', input: null, inputTruncated: true, output: null, outputTruncated: true });
      expect(small).toMatchObject({ name: 'b', output: {} });
      expect(small.outputTruncated).toBeUndefined();
      const whole = await stack.api.get(`/runs/${run.id}/tasks/a`);
      expect(whole.body.output).toEqual({ items });
    });
  });

  describe('dead letters', () => {
    it('walks every open dead letter with limit=1, also those that died in the same transaction', async () => {
      const tasks = Array.from({ length: 8 }, (_, i) => ({ name: `t${i}`, type: 'fail', with: { message: `broken ${i}` } }));
      await stack.api.applyYaml(aWorkflow({ name: 'many-dead', tasks }));
      const run = await stack.waitForRun((await stack.api.post('/workflows/many-dead/runs')).body.id);
      expect(run.tasks.map((t: any) => t.status)).toEqual(Array(8).fill('dead'));

      const all = await stack.api.get('/dead-letters?workflow=many-dead&limit=500');
      expect(all.body.items.map((l: any) => l.task).sort()).toEqual(tasks.map((t) => t.name).sort());
      const walked = await walkPages('/dead-letters?workflow=many-dead', 1);
      expect(walked.items.map((l) => l.id)).toEqual(all.body.items.map((l: any) => l.id));
    });
  });

  describe('operations endpoints', () => {
    it('answers healthz and readyz with 200', async () => {
      expect((await stack.api.get('/healthz')).status).toBe(200);
      expect(await stack.api.get('/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
    });

    it('serves Prometheus metrics as text', async () => {
      const response = await fetch(`${stack.url}/api/v1/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await response.text();
      expect(text).toContain('# TYPE flowctl_runs_active gauge');
      expect(text).toMatch(/^flowctl_runs_active\{status="running"\} \d+$/m);
      expect(text).toMatch(/^flowctl_dead_letters \d+$/m);
    });

    it('publishes an OpenAPI document that lists the workflow endpoints', async () => {
      const response = await fetch(`${stack.url}/api/docs/openapi.json`);
      expect(response.status).toBe(200);
      const document = (await response.json()) as any;
      expect(document.openapi).toMatch(/^3\./);
      expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/v1/workflows', '/api/v1/runs/{id}']));
      expect(document.paths['/api/v1/workflows']).toHaveProperty('put');
    });

    it('shows one scheduler in the cluster, and it is the leader', async () => {
      const cluster = await waitFor(
        async () => {
          const { body } = await stack.api.get('/cluster');
          return body.leader ? body : undefined;
        },
        { timeoutMs: 10_000, what: 'a leader to be elected' },
      );
      expect(cluster.schedulers).toHaveLength(1);
      expect(cluster.schedulers[0]).toMatchObject({ id: cluster.leader, leader: true, lastSeenAt: expect.any(String) });
    });

    it('shows the worker with the task types it serves, active', async () => {
      const { status, body } = await stack.api.get('/workers');
      expect(status).toBe(200);
      expect(body.nextCursor).toBeNull();
      expect(body.items).toHaveLength(1);
      const [worker] = body.items;
      expect(worker).toMatchObject({
        id: expect.any(String),
        status: 'active',
        concurrency: expect.any(Number),
        lastHeartbeatAt: expect.any(String),
      });
      expect(worker.types).toEqual(expect.arrayContaining(['noop', 'sleep', 'fail', 'http']));
      expect(worker.types).not.toContain('shell'); // off unless the worker enables it
    });
  });
});
