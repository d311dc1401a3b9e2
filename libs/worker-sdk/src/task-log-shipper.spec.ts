import type { ResultMessage } from '@flowctl/queue';
import { TaskLogShipper, toMessages } from './task-log-shipper';

type LogsMessage = Extract<ResultMessage, { kind: 'logs' }>;

const attemptA = { runId: 'r1', taskRunId: '1', attempt: 1 };
const attemptB = { runId: 'r1', taskRunId: '2', attempt: 3 };

function recordingShipper(options: ConstructorParameters<typeof TaskLogShipper>[2] = {}) {
  const sent: LogsMessage[] = [];
  const shipper = new TaskLogShipper('w1', async (messages) => void sent.push(...messages), { flushIntervalMs: 10_000, ...options });
  return { shipper, sent };
}

describe('TaskLogShipper', () => {
  it('never sends on write: lines wait for the flush', async () => {
    const { shipper, sent } = recordingShipper();
    shipper.write(attemptA, 'info', 'log', 'one');
    expect(sent).toEqual([]);
    await shipper.flush();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      kind: 'logs',
      workerId: 'w1',
      taskRunId: '1',
      attempt: 1,
      lines: [{ level: 'info', stream: 'log', message: 'one' }],
    });
  });

  it('sends on its timer', async () => {
    const { shipper, sent } = recordingShipper({ flushIntervalMs: 5 });
    shipper.write(attemptA, 'info', 'log', 'one');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sent.map((m) => m.lines.length)).toEqual([1]);
  });

  it('keeps its memory bounded: drops the oldest unsent lines and sends their count', async () => {
    const { shipper, sent } = recordingShipper({ maxBufferedLines: 3, batchLines: 100 });
    for (let i = 1; i <= 5; i++) shipper.write(attemptA, 'info', 'stdout', `line ${i}`);
    expect(shipper.pendingLines).toBe(3);
    await shipper.flush();
    expect(sent[0]!.lines.map((line) => line.message)).toEqual(['line 3', 'line 4', 'line 5']);
    expect(sent[0]!.dropped).toBe(2);
  });

  it('tells a writer that can wait to stop at half its cap, and lets it go on once the batch is published', async () => {
    let publish!: () => void;
    const published = new Promise<void>((resolve) => (publish = resolve));
    const sent: LogsMessage[] = [];
    const shipper = new TaskLogShipper(
      'w1',
      async (messages) => {
        await published;
        sent.push(...messages);
      },
      { flushIntervalMs: 10_000, maxBufferedLines: 10, batchLines: 100 },
    );
    const room = [1, 2, 3, 4, 5, 6].map((i) => shipper.write(attemptA, 'info', 'stdout', `line ${i}`));
    expect(room).toEqual([true, true, true, true, false, false]);
    let drained = false;
    const waiting = shipper.drained().then(() => (drained = true));
    const flushed = shipper.flush();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(drained).toBe(false);
    publish();
    await Promise.all([flushed, waiting]);
    expect(drained).toBe(true);
    expect(sent[0]!.lines).toHaveLength(6);
    expect(sent[0]!.dropped).toBeUndefined();
    await expect(shipper.drained()).resolves.toBeUndefined();
  });

  it('bounds the characters it holds too', async () => {
    const { shipper, sent } = recordingShipper({ maxBufferedChars: 10 });
    shipper.write(attemptA, 'info', 'log', 'x'.repeat(8));
    shipper.write(attemptA, 'info', 'log', 'y'.repeat(8));
    await shipper.flush();
    expect(sent[0]!.lines.map((line) => line.message)).toEqual(['y'.repeat(8)]);
    expect(sent[0]!.dropped).toBe(1);
  });

  it('sends a big batch at once, without waiting for the interval', async () => {
    const { shipper, sent } = recordingShipper({ batchLines: 4 });
    for (let i = 0; i < 4; i++) shipper.write(attemptA, 'info', 'log', String(i));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sent.flatMap((m) => m.lines)).toHaveLength(4);
  });

  it("hands over one attempt's lines for its outcome and leaves the others waiting", async () => {
    const { shipper, sent } = recordingShipper();
    shipper.write(attemptA, 'info', 'log', 'a');
    shipper.write(attemptB, 'info', 'log', 'b');
    const taken = shipper.takeAttempt({ ...attemptB });
    expect(taken.map((m) => [m.taskRunId, m.lines.map((l) => l.message)])).toEqual([['2', ['b']]]);
    expect(sent).toEqual([]);
    expect(shipper.pendingLines).toBe(1);
    expect(shipper.takeAttempt({ ...attemptB })).toEqual([]);
  });

  it("hands over an attempt's lines split into messages, its dropped count on the first, and starts afresh after", async () => {
    const { shipper } = recordingShipper({ maxBufferedLines: 10, linesPerMessage: 3 });
    for (let i = 1; i <= 12; i++) shipper.write(attemptA, 'info', 'log', `line ${i}`);
    const taken = shipper.takeAttempt(attemptA);
    const kept = taken.flatMap((message) => message.lines.map((line) => line.message));
    // Past the cap of 10 the oldest went, down to nine tenths of it: lines 1 and 2.
    expect(taken.map((message) => message.lines.length)).toEqual([3, 3, 3, 1]);
    expect(kept).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i + 3}`));
    expect(taken.map((message) => message.dropped)).toEqual([2, undefined, undefined, undefined]);
    expect(shipper.pendingLines).toBe(0);
    // The same attempt object writes again: a queue of its own, not the one handed over.
    shipper.write(attemptA, 'warn', 'log', 'late');
    expect(shipper.takeAttempt(attemptA).map((message) => [message.lines.map((line) => line.message), message.dropped])).toEqual([
      [['late'], undefined],
    ]);
  });

  it("holds a flood's batches while the results channel is behind, sends the others' at once, and the flood's once it has room", async () => {
    const sent: LogsMessage[] = [];
    let backlog = 500;
    let asked = 0;
    const shipper = new TaskLogShipper(
      'w1',
      async (messages) => void sent.push(...messages),
      { flushIntervalMs: 5, backlogRetryMs: 5, maxBacklogReports: 50, slowedUpToChars: 4 },
      async () => (asked++, backlog),
    );
    shipper.write(attemptA, 'info', 'log', 'flood');
    shipper.write(attemptB, 'info', 'log', 'calm');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(sent.flatMap((m) => m.lines.map((l) => l.message))).toEqual(['calm']);
    expect(asked).toBeGreaterThan(1);
    backlog = 10;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(sent.flatMap((m) => m.lines.map((l) => l.message))).toEqual(['calm', 'flood']);
  });

  it('tells a writer that can wait to stop while the results channel is behind, and lets it go on once it has room', async () => {
    let backlog = 500;
    const shipper = new TaskLogShipper(
      'w1',
      async () => undefined,
      { flushIntervalMs: 5, backlogRetryMs: 5 },
      async () => backlog,
    );
    expect(shipper.write(attemptA, 'info', 'stdout', 'one')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(shipper.write(attemptA, 'info', 'stdout', 'two')).toBe(false);
    let drained = false;
    const waiting = shipper.drained().then(() => (drained = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(drained).toBe(false);
    backlog = 0;
    await waiting;
    expect(shipper.write(attemptA, 'info', 'stdout', 'three')).toBe(true);
  });

  it('never slows a flood, drops its oldest lines rather than its neighbours, and does not slow the neighbours for it', async () => {
    const { shipper, sent } = recordingShipper({ slowedUpToChars: 20, maxBufferedLines: 10, batchLines: 1_000 });
    expect(shipper.write(attemptB, 'info', 'stdout', 'quiet')).toBe(true);
    const room = Array.from({ length: 30 }, (_, i) => shipper.write(attemptA, 'info', 'stdout', `flood ${i}`));
    // Slowed while it had written 20 characters or less, then never again.
    expect(room.slice(0, 2)).toEqual([true, true]);
    expect(room.slice(5).every(Boolean)).toBe(true);
    expect(shipper.write(attemptB, 'info', 'stdout', 'still quiet')).toBe(true);
    await shipper.flush();
    const flood = sent.filter((m) => m.taskRunId === '1');
    expect(flood.flatMap((m) => m.lines.map((l) => l.message)).at(-1)).toBe('flood 29');
    expect(flood[0]!.dropped).toBeGreaterThan(0);
    expect(sent.filter((m) => m.taskRunId === '2').flatMap((m) => m.lines.map((l) => l.message))).toEqual(['quiet', 'still quiet']);
  });

  it('takes no lines once closed', async () => {
    const { shipper, sent } = recordingShipper();
    shipper.write(attemptA, 'info', 'log', 'before');
    await shipper.close();
    shipper.write(attemptA, 'info', 'log', 'after');
    await shipper.flush();
    expect(sent.flatMap((m) => m.lines.map((line) => line.message))).toEqual(['before']);
  });
});

describe('toMessages', () => {
  const line = (message: string) => ({ ts: '2026-01-01T00:00:00.000Z', level: 'info' as const, stream: 'log' as const, message });

  it('groups lines by attempt in write order and splits a long run of lines', () => {
    const messages = toMessages(
      'w1',
      [
        { attempt: attemptA, line: line('a1') },
        { attempt: attemptB, line: line('b1') },
        { attempt: attemptA, line: line('a2') },
        { attempt: attemptA, line: line('a3') },
      ],
      new Map(),
      2,
    );
    expect(messages.map((m) => [m.taskRunId, m.lines.map((l) => l.message)])).toEqual([
      ['1', ['a1', 'a2']],
      ['1', ['a3']],
      ['2', ['b1']],
    ]);
  });

  it('still reports lines dropped for an attempt with nothing left to send', () => {
    const messages = toMessages('w1', [], new Map([['2:3', { attempt: attemptB, count: 7 }]]), 500);
    expect(messages).toEqual([expect.objectContaining({ taskRunId: '2', attempt: 3, lines: [], dropped: 7 })]);
  });
});
