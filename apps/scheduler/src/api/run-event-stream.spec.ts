import type { RunEventRepository, RunEventRow, RunRepository, RunRow, TaskRunRepository, TaskRunRow } from '@flowctl/persistence';
import type { DataSource } from 'typeorm';
import { RunEventStream } from './run-event-stream';
import type { ServerSentEvents } from './server-sent-events';

// @nestjs/common ships as ESM, which Jest's module loader cannot require: stand in for the little used here.
jest.mock('@nestjs/common', () => ({
  Injectable: () => () => undefined,
  Inject: () => () => undefined,
  Logger: class {
    warn(): void {}
  },
}));

/** An in-memory run: its row, its tasks and its append-only events, read the way the repositories read them. */
class FakeRun {
  events: RunEventRow[] = [];
  tasks = new Map<string, TaskRunRow>();
  run = { id: 'run-1', status: 'running', workflowName: 'etl' } as RunRow;
  taskReads = 0;

  addTask(name: string) {
    this.tasks.set(name, { id: String(this.tasks.size + 1), runId: 'run-1', name, status: 'pending', attempt: 0 } as TaskRunRow);
  }
  append(type: string, task: string | null) {
    this.events.push({
      id: String(this.events.length + 1),
      runId: 'run-1',
      type,
      task,
      attempt: 1,
      at: new Date(),
      details: null,
    } as RunEventRow);
  }
  repositories() {
    return {
      dataSource: {} as DataSource,
      runs: { find: async () => this.run } as unknown as RunRepository,
      events: {
        list: async (_db: unknown, _run: string, options: { afterId?: string; limit: number }) =>
          this.events.filter((e) => Number(e.id) > Number(options.afterId ?? 0)).slice(0, options.limit),
      } as unknown as RunEventRepository,
      taskRuns: {
        find: async (_db: unknown, _run: string, name: string) => {
          this.taskReads += 1;
          return this.tasks.get(name);
        },
        forRun: async (_db: unknown, _run: string, options: { afterId?: string; limit: number }) =>
          [...this.tasks.values()].filter((t) => Number(t.id) > Number(options.afterId ?? 0)).slice(0, options.limit),
      } as unknown as TaskRunRepository,
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
});
