import { TASK_STATUS_AFTER as STATUS_AFTER } from '@flowctl/api-contract';
import { FlowctlStack } from './support/flowctl-stack';
import type { TestApi } from './support/api-client';
import { SseFrames, type SseFrame } from './support/sse-frames';
import { aWorkflow } from './support/workflow-factory';

/** Every run event a stream delivered, from `history` and `events` frames, in order. */
function runEvents(stream: SseFrames, kind?: 'history' | 'events'): any[] {
  return stream.frames
    .filter((f) => (kind ? f.event === kind : f.event === 'history' || f.event === 'events'))
    .flatMap((f) => f.data.events);
}

/** Every event of a run up to `lastId`, oldest first, through the paged events API. */
async function eventsUpTo(api: TestApi, runId: string, lastId: string): Promise<any[]> {
  const events: any[] = [];
  let cursor = '';
  for (;;) {
    const { body } = await api.get(`/runs/${runId}/events?limit=10000${cursor ? `&cursor=${cursor}` : ''}`);
    events.push(...body.items);
    if (!body.nextCursor || Number(body.items.at(-1)?.id) >= Number(lastId)) break;
    cursor = body.nextCursor;
  }
  return events.filter((event) => Number(event.id) <= Number(lastId));
}

/** Instances per status of forEach task `name` after the given events: the history told again, independently of the stream. */
function countsFromHistory(events: readonly any[], name: string, total: number): Record<string, number> {
  const statuses = new Array<string>(total).fill('pending');
  const instance = new RegExp(`^${name}\\[(\\d+)\\]$`);
  for (const event of events) {
    const index = instance.exec(event.task ?? '')?.[1];
    if (index !== undefined && STATUS_AFTER[event.type]) statuses[Number(index)] = STATUS_AFTER[event.type]!;
  }
  const counts: Record<string, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/** What the stream sent on connect: its history and snapshot frames. */
const connectFrames = (stream: SseFrames) => stream.frames.slice(0, stream.frames.findIndex((f) => f.event === 'snapshot') + 1);

/**
 * What the stream sent on connect before it was bounded: every event in `history` frames of 1,000
 * and one snapshot with every task row whole, estimated from the same views through the REST API.
 */
async function unboundedConnectBytes(api: TestApi, runId: string): Promise<number> {
  let bytes = 0;
  let cursor = '';
  for (;;) {
    const { body } = await api.get(`/runs/${runId}/events?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    bytes += JSON.stringify({ events: body.items }).length + 40;
    if (!body.nextCursor) break;
    cursor = body.nextCursor;
  }
  cursor = '';
  for (;;) {
    const { body } = await api.get(`/runs/${runId}?tasksLimit=10000${cursor ? `&tasksCursor=${cursor}` : ''}`);
    bytes += JSON.stringify(body.tasks).length;
    if (!body.tasksNextCursor) break;
    cursor = body.tasksNextCursor;
  }
  return bytes;
}

describe('the dashboard API: live streams and queue depth', () => {
  let stack: FlowctlStack;
  const readers: SseFrames[] = [];
  const open = async (path: string, headers?: Record<string, string>) => {
    const reader = await SseFrames.open(`${stack.url}/api/v1${path}`, headers);
    reader.serverOutput = () => String(stack.output);
    readers.push(reader);
    return reader;
  };

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'dashboard_api' });
    const applied = await stack.api.applyYaml(
      aWorkflow({
        name: 'live',
        tasks: [
          { name: 'warm-up', type: 'sleep', with: { duration: '1200ms' } },
          { name: 'middle', type: 'sleep', dependsOn: ['warm-up'], with: { duration: '300ms' } },
          { name: 'last', dependsOn: ['middle'], with: { said: 'done' } },
        ],
      }),
    );
    expect(applied.status).toBe(200);
  });

  afterEach(() => {
    for (const reader of readers.splice(0)) reader.close();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('streams a run as history, then a snapshot, then its events live as it progresses', async () => {
    const started = await stack.api.post('/workflows/live/runs', {});
    expect(started.status).toBe(201);
    const stream = await open(`/runs/${started.body.id}/stream`);
    expect(stream.status).toBe(200);

    const snapshot = await stream.waitFor(() => stream.frames.find((f) => f.event === 'snapshot'), 'the snapshot');
    expect(snapshot.data.run).toMatchObject({ id: started.body.id, workflow: 'live', tasksNextCursor: null });
    expect(snapshot.data.run.tasks.map((t: any) => t.name).sort()).toEqual(['last', 'middle', 'warm-up']);
    // The snapshot came while warm-up sleeps: what follows was sent live.
    expect(snapshot.data.run.tasks.find((t: any) => t.name === 'last').status).toBe('pending');
    expect(snapshot.id).toBe(snapshot.data.lastEventId);

    await stream.waitFor(() => runEvents(stream, 'events').some((e) => e.type === 'run_succeeded'), 'run_succeeded to arrive live');
    const snapshotAt = stream.frames.indexOf(snapshot);
    expect(stream.frames.slice(0, snapshotAt).every((f) => f.event === 'history')).toBe(true);
    const live = stream.frames.slice(snapshotAt + 1).filter((f) => f.event === 'events');
    expect(live.length).toBeGreaterThan(0);
    expect(live.map((f) => f.data.events.map((e: any) => `${e.type}:${e.task ?? ''}`)).flat()).toEqual(
      expect.arrayContaining(['task_started:middle', 'task_succeeded:middle', 'task_succeeded:last', 'run_succeeded:']),
    );

    // Event ids only grow, and each frame's id is its last event's: Last-Event-ID resumes exactly.
    const ids = runEvents(stream).map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    for (const frame of live) expect(frame.id).toBe(frame.data.events[frame.data.events.length - 1].id);

    // Deltas carry the run's fresh row and the rows of the few tasks they touched (with outputs).
    const final = live[live.length - 1]!.data;
    expect(final.run.status).toBe('succeeded');
    const lastTask = live.flatMap((f) => f.data.tasks).find((t: any) => t.name === 'last' && t.status === 'succeeded');
    expect(lastTask.output).toEqual({ said: 'done' });
  });

  it('resumes from Last-Event-ID with only the events after it, then a fresh snapshot', async () => {
    const started = await stack.api.post('/workflows/live/runs', {});
    const run = await stack.waitForRun(started.body.id);
    const history = (await stack.api.get(`/runs/${run.id}/events`)).body.items;
    const middle = history[Math.floor(history.length / 2)];

    const stream = await open(`/runs/${run.id}/stream`, { 'last-event-id': middle.id });
    const snapshot = await stream.waitFor(() => stream.frames.find((f) => f.event === 'snapshot'), 'the snapshot');
    expect(runEvents(stream, 'history').map((e) => e.id)).toEqual(
      history.filter((e: any) => Number(e.id) > Number(middle.id)).map((e: any) => e.id),
    );
    expect(snapshot.data.run.status).toBe('succeeded');
    expect(snapshot.data.lastEventId).toBe(history[history.length - 1].id);
  });

  it('opens a run of 5,000 forEach instances with a bounded payload and exact counts per status, and stays exact live', async () => {
    const total = 5_000;
    const applied = await stack.api.applyYaml(
      aWorkflow({
        name: 'wide',
        spec: { inputs: { items: { type: 'array' } } },
        tasks: [
          { name: 'each', forEach: '{{ inputs.items }}', with: { n: '{{ item }}' } },
          { name: 'after', dependsOn: ['each'] },
        ],
      }),
    );
    expect(applied.status).toBe(200);
    const started = await stack.api.post('/workflows/wide/runs', { inputs: { items: Array.from({ length: total }, (_, i) => i) } });
    expect(started.status).toBe(201);
    const runId = started.body.id as string;
    const counts = (frames: SseFrame[]) =>
      frames
        .flatMap((f) => (f.event === 'snapshot' || f.event === 'events' ? (f.data.fanOuts ?? []) : []))
        .filter((o: any) => o.task === 'each');
    const latestCounts = (reader: SseFrames) => counts(reader.frames).at(-1)?.counts;

    // One stream from the start (the fan-out may expand after its snapshot), one opened mid-run.
    const early = await open(`/runs/${runId}/stream`);
    await early.waitFor(() => (latestCounts(early)?.succeeded ?? 0) >= 1_000, '1,000 instances to succeed', 60_000);
    const middle = await open(`/runs/${runId}/stream`);
    const snapshot = await middle.waitFor(() => middle.frames.find((f) => f.event === 'snapshot'), 'the snapshot');

    const payload = connectFrames(middle).reduce((sum, f) => sum + f.bytes, 0);
    expect(payload).toBeLessThan(400 * 1024);
    expect(snapshot.data.run.tasks.map((t: any) => t.name).sort()).toEqual(['after', 'each']);
    const [summary] = counts([snapshot]);
    expect(summary.total).toBe(total);
    // The counts are the history's, as of exactly the snapshot's last event.
    const history = await eventsUpTo(stack.api, runId, snapshot.data.lastEventId);
    expect(summary.counts).toEqual(countsFromHistory(history, 'each', total));
    expect(runEvents(middle, 'history').length).toBeLessThanOrEqual(1_000);
    const tail = middle.frames.find((f) => f.event === 'history')!.data;
    expect(tail).toMatchObject({ reset: true, earlierBefore: tail.events[0].id });

    // Both streams converge on the run's end: every instance succeeded, counted once.
    for (const reader of [early, middle]) {
      await reader.waitFor(() => runEvents(reader).some((e) => e.type === 'run_succeeded'), 'the run to succeed live', 120_000);
      expect(latestCounts(reader)).toEqual({ succeeded: total });
      expect(reader.frames.flatMap((f) => (f.event === 'events' ? f.data.tasks : [])).every((t: any) => !/^each\[/.test(t.name))).toBe(
        true,
      );
      // Nor their routine events: the counts carry those (failures would still come).
      const live = reader.frames.filter((f) => f.event === 'events');
      expect(live.flatMap((f) => f.data.events).filter((e: any) => /^each\[/.test(e.task ?? ''))).toEqual([]);
      expect(live.flatMap((f) => f.data.events).map((e: any) => e.type)).toContain('run_succeeded');
      // Nor the run's inputs (here the 5,000 items): they never change, and the snapshot had them.
      expect(live.filter((f) => 'inputs' in f.data.run)).toEqual([]);
    }
    console.log(
      `live deltas of the stream opened at the start: ${early.frames.filter((f) => f.event === 'events').reduce((sum, f) => sum + f.bytes, 0)} bytes`,
    );

    // A stream opened now sends as little, and pages back through the timeline's "earlier" link.
    const after = await open(`/runs/${runId}/stream`);
    const ended = await after.waitFor(() => after.frames.find((f) => f.event === 'snapshot'), 'the snapshot of the ended run');
    expect(counts([ended])[0].counts).toEqual({ succeeded: total });
    const bounded = connectFrames(after).reduce((sum, f) => sum + f.bytes, 0);
    expect(bounded).toBeLessThan(400 * 1024);
    const earlierBefore = after.frames.find((f) => f.event === 'history')!.data.earlierBefore;
    const earlier = await stack.api.get(`/runs/${runId}/events?before=${earlierBefore}&limit=500`);
    expect(earlier.body.items).toHaveLength(500);
    expect(Number(earlier.body.items.at(-1).id)).toBeLessThan(Number(earlierBefore));
    expect(earlier.body.earlierBefore).toBe(earlier.body.items[0].id);
    const unbounded = await unboundedConnectBytes(stack.api, runId);
    expect(unbounded).toBeGreaterThan(4 * bounded);
    console.log(`connect payload of a ${total}-instance run: ${bounded} bytes (unbounded: ${unbounded} bytes)`);

    // The group panel pages the instances, filtered by status, in item order.
    const first = await stack.api.get(`/runs/${runId}/tasks/each/instances?status=succeeded&limit=2`);
    expect(first.body.items.map((t: any) => t.name)).toEqual(['each[0]', 'each[1]']);
    const second = await stack.api.get(`/runs/${runId}/tasks/each/instances?status=succeeded&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((t: any) => t.name)).toEqual(['each[2]', 'each[3]']);
    expect((await stack.api.get(`/runs/${runId}/tasks/each/instances?status=failed`)).body).toEqual({ items: [], nextCursor: null });
    expect((await stack.api.get(`/runs/${runId}/tasks/each/instances?status=nope`)).status).toBe(400);
  }, 180_000);

  it('sends the run-level changes of new runs to the runs-list stream', async () => {
    const stream = await open('/stream?workflow=live');
    await stream.waitFor(() => stream.frames.some((f) => f.event === 'ready'), 'the runs stream to open');
    const started = await stack.api.post('/workflows/live/runs', {});
    const seen = (status: string) =>
      stream.frames.some((f) => f.event === 'runs' && f.data.items.some((r: any) => r.id === started.body.id && r.status === status));
    await stream.waitFor(() => seen('running'), 'the new run in the runs stream');
    await stream.waitFor(() => seen('succeeded'), 'the run to show as succeeded in the runs stream');
    const item = stream.frames.flatMap((f) => (f.event === 'runs' ? f.data.items : [])).find((r: any) => r.id === started.body.id);
    expect(item).toMatchObject({ workflow: 'live', tasksTotal: 3 });
  });

  it('refuses a stream of an unknown run or a bad Last-Event-ID with a JSON error, before any event', async () => {
    const unknown = await fetch(`${stack.url}/api/v1/runs/00000000-0000-7000-8000-000000000000/stream`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });

    const started = await stack.api.post('/workflows/live/runs', {});
    const bad = await fetch(`${stack.url}/api/v1/runs/${started.body.id}/stream`, { headers: { 'last-event-id': 'not-an-id' } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/Last-Event-ID/);
  });

  it('reads one task of a run by name, and answers 404 for a task the run does not have', async () => {
    const started = await stack.api.post('/workflows/live/runs', {});
    await stack.waitForRun(started.body.id);
    const task = await stack.api.get(`/runs/${started.body.id}/tasks/last`);
    expect(task).toMatchObject({ status: 200, body: { name: 'last', status: 'succeeded', output: { said: 'done' } } });
    expect((await stack.api.get(`/runs/${started.body.id}/tasks/nope`)).status).toBe(404);
  });

  it('reports queue depth per task type served by the registered workers', async () => {
    const { status, body } = await stack.api.get('/queues');
    expect(status).toBe(200);
    expect(body.nextCursor).toBeNull();
    const types = body.items.map((q: any) => q.type);
    expect(types).toEqual(expect.arrayContaining(['noop', 'sleep', 'fail']));
    expect(types).toEqual([...types].sort());
    for (const queue of body.items) {
      expect(queue).toEqual({
        type: expect.any(String),
        waiting: expect.any(Number),
        active: expect.any(Number),
        delayed: expect.any(Number),
        failed: expect.any(Number),
        workers: 1,
      });
    }
  });

  it('filters runs by created time, from inclusive and to exclusive', async () => {
    const started = await stack.api.post('/workflows/live/runs', {});
    const createdAt = new Date(started.body.createdAt).getTime();
    const iso = (ms: number) => new Date(ms).toISOString();
    const ids = async (query: string) => ((await stack.api.get(`/runs?workflow=live&${query}`)).body.items as any[]).map((r) => r.id);

    expect(await ids(`from=${iso(createdAt - 1_000)}`)).toContain(started.body.id);
    expect(await ids(`from=${iso(createdAt + 1_000)}`)).not.toContain(started.body.id);
    expect(await ids(`to=${iso(createdAt - 1_000)}`)).not.toContain(started.body.id);
    expect(await ids(`from=${iso(createdAt - 1_000)}&to=${iso(createdAt + 1_000)}`)).toContain(started.body.id);
    const bad = await stack.api.get('/runs?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/from must be an ISO 8601 time/);
  });
});
