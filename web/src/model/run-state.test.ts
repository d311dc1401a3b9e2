import { describe, expect, it } from 'vitest';
import type { RunDetail, RunEvent, Task } from '@flowctl/api-contract';
import { EMPTY_LIVE_RUN, liveRunReducer } from '../hooks/use-run-live';
import { attemptsByTask } from './attempts';
import { applyEvents, capHistory, mergeEvents, placeholderTask } from './run-state';

let nextId = 1;
const event = (
  type: string,
  task: string | null,
  attempt: number | null,
  details: Record<string, unknown> | null = null,
  at = `2026-01-01T00:00:0${nextId % 10}Z`,
): RunEvent => ({
  id: String(nextId++),
  type: type as RunEvent['type'],
  task,
  attempt,
  at,
  details,
});
const task = (name: string, fields: Partial<Task> = {}): Task => ({ ...placeholderTask(name), type: 'noop', ...fields });

describe('applyEvents', () => {
  it('moves a task through its attempts as the events say', () => {
    const failure = { type: 'TaskFailed', message: 'boom' };
    const tasks = applyEvents(new Map([['a', task('a')]]), [
      event('task_queued', 'a', 1),
      event('task_started', 'a', 1, { workerId: 'w1' }),
      event('task_failed', 'a', 1, { error: failure }),
      event('task_retrying', 'a', 1, { retryAt: '2026-01-01T00:01:00Z' }),
    ]);
    expect(tasks.get('a')).toMatchObject({
      status: 'retrying',
      attempt: 1,
      workerId: 'w1',
      error: failure,
      retryAt: '2026-01-01T00:01:00Z',
    });
    const after = applyEvents(tasks, [
      event('task_queued', 'a', 2),
      event('task_started', 'a', 2, { workerId: 'w2' }),
      event('task_succeeded', 'a', 2),
    ]);
    expect(after.get('a')).toMatchObject({ status: 'succeeded', attempt: 2, workerId: 'w2', error: null, retryAt: null });
  });

  it('converges on the stored state when the snapshot had already seen some of the events', () => {
    const snapshot = new Map([['a', task('a', { status: 'succeeded', attempt: 1 })]]);
    const tasks = applyEvents(snapshot, [event('task_started', 'a', 1), event('task_succeeded', 'a', 1)]);
    expect(tasks.get('a')!.status).toBe('succeeded');
  });

  it('adds a task it has no row for (a forEach instance), and lets fresh rows win', () => {
    const tasks = applyEvents(new Map(), [event('task_queued', 'each[3]', 1)], [task('b', { status: 'succeeded', output: { ok: true } })]);
    expect(tasks.get('each[3]')).toMatchObject({ name: 'each[3]', status: 'queued' });
    expect(tasks.get('b')).toMatchObject({ status: 'succeeded', output: { ok: true } });
  });

  it('reopens the failed tasks of a retried run', () => {
    const tasks = applyEvents(new Map([['a', task('a', { status: 'failed' })]]), [event('run_retried', null, null, { tasks: ['a'] })]);
    expect(tasks.get('a')!.status).toBe('pending');
  });

  it('keeps unchanged tasks as the same objects, so their nodes do not re-render', () => {
    const untouched = task('b');
    const tasks = applyEvents(
      new Map([
        ['a', task('a')],
        ['b', untouched],
      ]),
      [event('task_queued', 'a', 1)],
    );
    expect(tasks.get('b')).toBe(untouched);
  });
});

describe('mergeEvents', () => {
  it('appends newer events and drops ones it already has, keeping id order', () => {
    const [a, b, c] = [event('x', null, null), event('y', null, null), event('z', null, null)];
    expect(mergeEvents([a!, b!], [c!]).map((e) => e.id)).toEqual([a!.id, b!.id, c!.id]);
    expect(mergeEvents([a!, c!], [b!, c!]).map((e) => e.id)).toEqual([a!.id, b!.id, c!.id]);
  });
});

describe('attemptsByTask', () => {
  it('tells each attempt with its worker, times, outcome and error', () => {
    const events = [
      event('task_queued', 'a', 1, null, '2026-01-01T00:00:00Z'),
      event('task_started', 'a', 1, { workerId: 'w1' }, '2026-01-01T00:00:01Z'),
      event('task_failed', 'a', 1, { error: { type: 'Timeout', message: 'too slow' } }, '2026-01-01T00:00:05Z'),
      event('task_retrying', 'a', 1, { retryAt: '2026-01-01T00:00:07Z' }, '2026-01-01T00:00:05Z'),
      event('task_queued', 'a', 2, null, '2026-01-01T00:00:07Z'),
      event('task_started', 'a', 2, { workerId: 'w2' }, '2026-01-01T00:00:08Z'),
      event('task_succeeded', 'a', 2, null, '2026-01-01T00:00:09Z'),
      event('task_skipped', 'b', null, { reason: 'upstream failed' }),
    ];
    const attempts = attemptsByTask(events);
    expect(attempts.get('a')).toEqual([
      {
        attempt: 1,
        queuedAt: '2026-01-01T00:00:00Z',
        startedAt: '2026-01-01T00:00:01Z',
        finishedAt: '2026-01-01T00:00:05Z',
        outcome: 'failed',
        workerId: 'w1',
        error: { type: 'Timeout', message: 'too slow' },
        retryAt: '2026-01-01T00:00:07Z',
      },
      {
        attempt: 2,
        queuedAt: '2026-01-01T00:00:07Z',
        startedAt: '2026-01-01T00:00:08Z',
        finishedAt: '2026-01-01T00:00:09Z',
        outcome: 'succeeded',
        workerId: 'w2',
      },
    ]);
    expect(attempts.has('b')).toBe(false);
  });
});

describe('the live run reducer', () => {
  const run: RunDetail = {
    deadlineAt: null,
    scheduledFor: null,
    parentRunId: null,
    parentTaskRunId: null,
    id: 'r',
    workflow: 'w',
    namespace: 'default',
    version: 1,
    status: 'running',
    inputs: {},
    idempotencyKey: null,
    tasksTotal: 2,
    tasksOpen: 2,
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: null,
    tasks: [task('a'), task('b')],
    tasksNextCursor: null,
  };

  it('takes history for the timeline only, the snapshot for the tasks, and deltas for both', () => {
    const empty = liveRunReducer(EMPTY_LIVE_RUN, { type: 'reset' });
    const history = liveRunReducer(empty, { type: 'history', history: { events: [event('task_queued', 'a', 1)] } });
    expect(history.tasks.size).toBe(0);
    expect(history.events).toHaveLength(1);
    const snapshot = liveRunReducer(history, { type: 'snapshot', snapshot: { run } });
    expect(snapshot.run).toMatchObject({ id: 'r', status: 'running' });
    expect(snapshot.run).not.toHaveProperty('tasks');
    const delta = liveRunReducer(snapshot, {
      type: 'delta',
      delta: { run: { ...snapshot.run!, status: 'succeeded' }, events: [event('task_succeeded', 'a', 1)], tasks: [] },
    });
    expect(delta.run!.status).toBe('succeeded');
    expect(delta.tasks.get('a')!.status).toBe('succeeded');
    expect(delta.events).toHaveLength(2);
    expect(delta.touched.get('a')).toBe((snapshot.touched.get('a') ?? 0) + 1);
  });

  it("keeps the run's inputs from the snapshot: a delta's run leaves them out", () => {
    const withInputs = liveRunReducer(EMPTY_LIVE_RUN, { type: 'snapshot', snapshot: { run: { ...run, inputs: { items: [1, 2, 3] } } } });
    const { inputs: _inputs, tasks: _tasks, tasksNextCursor: _cursor, ...changes } = { ...run, status: 'succeeded' as const };
    const delta = liveRunReducer(withInputs, { type: 'delta', delta: { run: changes, events: [], tasks: [] } });
    expect(delta.run).toMatchObject({ status: 'succeeded', inputs: { items: [1, 2, 3] } });
  });

  const fanOutRun: RunDetail = {
    ...run,
    tasksTotal: 5_002,
    tasks: [task('list', { status: 'succeeded' }), task('each', { status: 'running' })],
  };
  const snapshotOf = (counts: Record<string, number>) =>
    liveRunReducer(EMPTY_LIVE_RUN, { type: 'snapshot', snapshot: { run: fanOutRun, fanOuts: [{ task: 'each', total: 5_000, counts }] } });

  it('holds a counted fan-out as its counts, not as one task per instance event', () => {
    const snapshot = snapshotOf({ succeeded: 4_000, running: 10, queued: 990 });
    expect(snapshot.fanOuts.get('each')).toMatchObject({ total: 5_000, counts: { succeeded: 4_000 } });
    const delta = liveRunReducer(snapshot, {
      type: 'delta',
      delta: {
        run: snapshot.run!,
        events: [event('task_succeeded', 'each[4001]', 1), event('task_started', 'each[4500]', 1), event('task_succeeded', 'list', 1)],
        tasks: [task('each[4001]', { status: 'succeeded' })],
        fanOuts: [{ task: 'each', total: 5_000, counts: { succeeded: 4_001, running: 10, queued: 989 } }],
      },
    });
    expect([...delta.tasks.keys()].sort()).toEqual(['each', 'list']);
    expect(delta.fanOuts.get('each')!.counts).toEqual({ succeeded: 4_001, running: 10, queued: 989 });
    // The timeline still gets every event.
    expect(delta.events.map((e) => e.task)).toEqual(['each[4001]', 'each[4500]', 'list']);
    expect(delta.touched.has('each[4001]')).toBe(false);
  });

  it('keeps the counts it has when a delta brings none, and starts counting a fan-out a delta names', () => {
    const snapshot = snapshotOf({ queued: 5_000 });
    const quiet = liveRunReducer(snapshot, {
      type: 'delta',
      delta: { run: snapshot.run!, events: [event('task_started', 'list', 1)], tasks: [] },
    });
    expect(quiet.fanOuts).toBe(snapshot.fanOuts);
    const started = liveRunReducer(quiet, {
      type: 'delta',
      delta: {
        run: quiet.run!,
        events: [event('task_started', 'later', 1, { forEach: 2_000 }), event('task_queued', 'later[0]', 1)],
        tasks: [],
        fanOuts: [{ task: 'later', total: 2_000, counts: { pending: 1_999, queued: 1 } }],
      },
    });
    expect(started.tasks.has('later[0]')).toBe(false);
    expect(started.tasks.get('later')!.status).toBe('running');
    expect(started.fanOuts.get('later')!.total).toBe(2_000);
    expect(started.fanOuts.get('each')!.counts).toEqual({ queued: 5_000 });
  });

  it('still adds the instances of a small fan-out one by one, as it always did', () => {
    const snapshot = liveRunReducer(EMPTY_LIVE_RUN, { type: 'snapshot', snapshot: { run, fanOuts: [] } });
    const delta = liveRunReducer(snapshot, { type: 'delta', delta: { run, events: [event('task_queued', 'small[3]', 1)], tasks: [] } });
    expect(delta.tasks.get('small[3]')!.status).toBe('queued');
  });

  it('replaces its history when the server cut it, and pages back from where the cut is', () => {
    const held = liveRunReducer(EMPTY_LIVE_RUN, {
      type: 'history',
      history: { events: [event('task_queued', 'a', 1)], earlierBefore: null },
    });
    expect(held.earlierBefore).toBeNull();
    const tail = [event('task_queued', 'b', 1), event('task_started', 'b', 1)];
    const cut = liveRunReducer(held, { type: 'history', history: { events: tail, reset: true, earlierBefore: tail[0]!.id } });
    expect(cut.events.map((e) => e.id)).toEqual(tail.map((e) => e.id));
    expect(cut.earlierBefore).toBe(tail[0]!.id);
    const older = [event('task_queued', 'z', 1)];
    older[0]!.id = String(Number(tail[0]!.id) - 5);
    const earlier = liveRunReducer(cut, { type: 'earlier', page: { items: older, nextCursor: null, earlierBefore: null } });
    expect(earlier.events.map((e) => e.id)).toEqual([older[0]!.id, ...tail.map((e) => e.id)]);
    expect(earlier.earlierBefore).toBeNull();
    expect(earlier.historyCap).toBe(cut.historyCap + 1);
  });

  it('lets the oldest events go past its cap, and remembers where they start', () => {
    const events = Array.from({ length: 10 }, () => event('task_queued', 'a', 1));
    const capped = capHistory({ events, earlierBefore: null }, 4);
    expect(capped.events).toEqual(events.slice(6));
    expect(capped.earlierBefore).toBe(events[6]!.id);
    expect(capHistory({ events, earlierBefore: null }, 10).earlierBefore).toBeNull();
  });
});
