import type { RunEventRepository, RunEventRow, RunRepository, RunRow, TaskRunViewRepository, TaskRunRow } from '@flowctl/persistence';
import { TASK_STATUSES } from '@flowctl/core';
import type { DataSource } from 'typeorm';
import { HISTORY_EVENTS, INLINE_INSTANCES, RunEventStream } from './run-event-stream';
import type { ServerSentEvents } from './server-sent-events';

// @nestjs/common ships as ESM, which Jest's module loader cannot require: stand in for the little used here.
jest.mock('@nestjs/common', () => ({
  Injectable: () => () => undefined,
  Inject: () => () => undefined,
  Logger: class {
    warn(): void {}
  },
}));
// The snapshot's REPEATABLE READ transaction: the fake repositories below answer every read of it.
jest.mock('@flowctl/persistence', () => ({
  ...jest.requireActual('@flowctl/persistence'),
  inPgTransaction: (_pool: unknown, work: (tx: unknown) => Promise<unknown>) => work({ query: async () => [] }),
}));

/** An in-memory run: its row, its tasks and its append-only events, read the way the repositories read them. */
class FakeRun {
  events: RunEventRow[] = [];
  tasks = new Map<string, TaskRunRow>();
  run = { id: 'run-1', status: 'running', workflowName: 'etl', createdAt: new Date(0) } as RunRow;
  taskReads = 0;

  addTask(name: string, fields: Partial<TaskRunRow> = {}) {
    const row = {
      id: String(this.tasks.size + 1),
      runId: 'run-1',
      name,
      status: 'pending',
      attempt: 0,
      parentTaskRunId: null,
      itemIndex: null,
      instancesTotal: null,
      ...fields,
    } as TaskRunRow;
    this.tasks.set(name, row);
    return row;
  }
  /** A forEach task `name` with `statuses.length` instances in those statuses. */
  addFanOut(name: string, statuses: TaskRunRow['status'][]) {
    const parent = this.addTask(name, { status: 'running', instancesTotal: statuses.length });
    statuses.forEach((status, index) => this.addTask(`${name}[${index}]`, { status, parentTaskRunId: parent.id, itemIndex: index }));
  }
  append(type: string, task: string | null, details: unknown = null) {
    this.events.push({
      id: String(this.events.length + 1),
      runId: 'run-1',
      type,
      task,
      attempt: 1,
      at: new Date(),
      details,
    } as RunEventRow);
  }
  private instancesOf(parentId: string) {
    return [...this.tasks.values()].filter((t) => t.parentTaskRunId === parentId).sort((a, b) => a.itemIndex! - b.itemIndex!);
  }
  repositories() {
    return {
      dataSource: { driver: { master: {} } } as unknown as DataSource,
      runs: { find: async () => this.run } as unknown as RunRepository,
      events: {
        list: async (_db: unknown, _run: string, options: { afterId?: string; limit: number }) =>
          this.events.filter((e) => Number(e.id) > Number(options.afterId ?? 0)).slice(0, options.limit),
        latest: async (_db: unknown, _run: string, options: { afterId?: string; beforeId?: string; limit: number }) =>
          this.events
            .filter((e) => Number(e.id) > Number(options.afterId ?? 0) && Number(e.id) < Number(options.beforeId ?? Infinity))
            .reverse()
            .slice(0, options.limit),
        lastId: async () => this.events[this.events.length - 1]?.id ?? '0',
      } as unknown as RunEventRepository,
      taskRuns: {
        find: async (_db: unknown, _run: string, name: string) => {
          this.taskReads += 1;
          return this.tasks.get(name);
        },
        plainTasks: async () => [...this.tasks.values()].filter((t) => t.parentTaskRunId === null),
        instancePage: async (_db: unknown, parentId: string, options: { limit: number }) =>
          this.instancesOf(parentId).slice(0, options.limit),
        instanceStatusLetters: async (_db: unknown, parentId: string) =>
          this.instancesOf(parentId)
            .map((t) => String.fromCharCode(65 + TASK_STATUSES.indexOf(t.status)))
            .join(''),
      } as unknown as TaskRunViewRepository,
    };
  }
}

class FakeSse {
  frames: { event: string; data: any; id?: string }[] = [];
  isOpen = true;
  send(event: string, data: unknown, id?: string) {
    this.frames.push({ event, data, id });
  }
  onClose() {}
  close() {
    this.isOpen = false;
  }
}

function aStream(run: FakeRun, resumeAfter?: string) {
  const sse = new FakeSse();
  const stream = new RunEventStream(run.repositories(), 'run-1', sse as unknown as ServerSentEvents, resumeAfter);
  return { sse, stream };
}

describe('RunEventStream', () => {
  it('sends the history after the last seen event, then a snapshot marked with the last event id', async () => {
    const run = new FakeRun();
    run.addTask('a');
    for (let i = 0; i < 5; i++) run.append('task_queued', 'a');
    const { sse, stream } = aStream(run, '2');
    await stream.start();
    expect(sse.frames.map((f) => [f.event, f.id])).toEqual([
      ['history', '5'],
      ['snapshot', '5'],
    ]);
    expect(sse.frames[0]!.data.events.map((e: any) => e.id)).toEqual(['3', '4', '5']);
    expect(sse.frames[1]!.data).toMatchObject({ lastEventId: '5', run: { id: 'run-1', tasks: [{ name: 'a' }], tasksNextCursor: null } });
  });

  it('coalesces a burst of notifications into one delta with only the new events and the touched task rows', async () => {
    jest.useFakeTimers();
    try {
      const run = new FakeRun();
      run.addTask('a');
      run.addTask('b');
      run.append('run_started', null);
      const { sse, stream } = aStream(run);
      await stream.start();
      run.append('task_queued', 'a');
      run.append('task_started', 'a');
      for (let i = 0; i < 10; i++) stream.notify();
      await jest.advanceTimersByTimeAsync(500);
      const deltas = sse.frames.filter((f) => f.event === 'events');
      expect(deltas).toHaveLength(1);
      expect(deltas[0]!.id).toBe('3');
      expect(deltas[0]!.data.events.map((e: any) => e.type)).toEqual(['task_queued', 'task_started']);
      expect(deltas[0]!.data.tasks.map((t: any) => t.name)).toEqual(['a']);
      expect(deltas[0]!.data.run).toMatchObject({ id: 'run-1', status: 'running' });
    } finally {
      jest.useRealTimers();
    }
  });

  it('leaves task rows out of a delta that touched many tasks: the client applies the events', async () => {
    jest.useFakeTimers();
    try {
      const run = new FakeRun();
      for (let i = 0; i < 1_000; i++) run.addTask(`t${i}`);
      const { sse, stream } = aStream(run);
      await stream.start();
      const readsBefore = run.taskReads;
      for (let i = 0; i < 1_000; i++) run.append('task_queued', `t${i}`);
      stream.notify();
      await jest.advanceTimersByTimeAsync(500);
      const deltas = sse.frames.filter((f) => f.event === 'events');
      expect(deltas.flatMap((f) => f.data.events)).toHaveLength(1_000);
      expect(deltas.every((f) => f.data.tasks.length === 0)).toBe(true);
      expect(run.taskReads).toBe(readsBefore);
    } finally {
      jest.useRealTimers();
    }
  });

  it('sends nothing for a notification with no new events', async () => {
    jest.useFakeTimers();
    try {
      const run = new FakeRun();
      run.append('run_started', null);
      const { sse, stream } = aStream(run);
      await stream.start();
      stream.notify();
      await jest.advanceTimersByTimeAsync(500);
      expect(sse.frames.map((f) => f.event)).toEqual(['history', 'snapshot']);
    } finally {
      jest.useRealTimers();
    }
  });
  it('sends only the latest events of a long history, with where to page back from, and says to drop what a resumed client had', async () => {
    const run = new FakeRun();
    for (let i = 0; i < 3_000; i++) run.append('task_queued', `t${i}`);
    const fresh = aStream(run);
    await fresh.stream.start();
    const history = fresh.sse.frames.filter((f) => f.event === 'history');
    expect(history).toHaveLength(1);
    expect(history[0]!.data.events).toHaveLength(HISTORY_EVENTS);
    expect(history[0]!.data.events[0].id).toBe(String(3_000 - HISTORY_EVENTS + 1));
    expect(history[0]!.data).toMatchObject({ reset: true, earlierBefore: String(3_000 - HISTORY_EVENTS + 1) });

    const resumed = aStream(run, '2990');
    await resumed.stream.start();
    expect(resumed.sse.frames[0]!.data).toEqual({ events: expect.any(Array) });
    expect(resumed.sse.frames[0]!.data.events.map((e: any) => e.id)).toEqual([
      '2991',
      '2992',
      '2993',
      '2994',
      '2995',
      '2996',
      '2997',
      '2998',
      '2999',
      '3000',
    ]);

    const short = new FakeRun();
    short.append('run_started', null);
    const whole = aStream(short);
    await whole.stream.start();
    expect(whole.sse.frames[0]!.data).toMatchObject({ earlierBefore: null });
  });

  it('sends a large fan-out as counts per status, not as rows, and keeps the counts exact as events arrive', async () => {
    jest.useFakeTimers();
    try {
      const run = new FakeRun();
      run.addTask('list', { status: 'succeeded' });
      run.addFanOut('small', ['succeeded', 'running']);
      const statuses: TaskRunRow['status'][] = Array.from({ length: 5_000 }, (_, i) =>
        i < 3_000 ? 'succeeded' : i < 3_010 ? 'running' : 'queued',
      );
      run.addFanOut('each', statuses);
      run.append('run_started', null);
      const { sse, stream } = aStream(run);
      await stream.start();
      const snapshot = sse.frames.find((f) => f.event === 'snapshot')!.data;
      expect(snapshot.run.tasks.map((t: any) => t.name).sort()).toEqual(['each', 'list', 'small', 'small[0]', 'small[1]']);
      expect(snapshot.fanOuts).toEqual([{ task: 'each', total: 5_000, counts: { succeeded: 3_000, running: 10, queued: 1_990 } }]);

      // each[3000] ends, each[4000] starts and fails: moved from the status each had, whatever event names it.
      run.append('task_succeeded', 'each[3000]');
      run.append('task_started', 'each[4000]');
      run.append('task_failed', 'each[4000]');
      run.append('task_succeeded', 'small[1]');
      stream.notify();
      await jest.advanceTimersByTimeAsync(500);
      const delta = sse.frames.filter((f) => f.event === 'events').at(-1)!.data;
      expect(delta.fanOuts).toEqual([{ task: 'each', total: 5_000, counts: { succeeded: 3_001, running: 9, queued: 1_989, failed: 1 } }]);
      expect(delta.tasks.map((t: any) => t.name)).toEqual(['small[1]']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('starts counting a fan-out that expands past the inline budget while the stream is open', async () => {
    jest.useFakeTimers();
    try {
      const run = new FakeRun();
      run.addTask('each');
      const { sse, stream } = aStream(run);
      await stream.start();
      const total = INLINE_INSTANCES + 1;
      run.append('task_started', 'each', { forEach: total });
      for (let i = 0; i < 3; i++) run.append('task_queued', `each[${i}]`);
      stream.notify();
      await jest.advanceTimersByTimeAsync(500);
      const delta = sse.frames.filter((f) => f.event === 'events').at(-1)!.data;
      expect(delta.fanOuts).toEqual([{ task: 'each', total, counts: { pending: total - 3, queued: 3 } }]);
      expect(delta.tasks.map((t: any) => t.name)).toEqual(['each']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('leaves values that are large as JSON out of the snapshot, however well they compress, and flags them', async () => {
    const run = new FakeRun();
    run.addTask('root', { output: { items: new Array(100_000).fill(0) }, input: { small: true } });
    const { sse, stream } = aStream(run);
    await stream.start();
    const [root] = sse.frames.find((f) => f.event === 'snapshot')!.data.run.tasks;
    expect(root).toMatchObject({ name: 'root', output: null, outputTruncated: true, input: { small: true } });
    expect(root).not.toHaveProperty('inputTruncated');
  });
});
