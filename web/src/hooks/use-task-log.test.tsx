import { act, renderHook, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogLine } from '../api/task-logs';
import { useTaskLog } from './use-task-log';

const line = (seq: number): LogLine => ({ seq, ts: '2026-12-07T03:00:00.000Z', level: 'info', stream: 'stdout', message: `line ${seq}` });

/** Stands in for the browser's EventSource: the test sends the server's events by hand. */
class FakeEventSource {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSED = 2;
  static opened: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  onopen?: () => void;
  onmessage?: (event: MessageEvent<string>) => void;
  onerror?: () => void;
  private listeners = new Map<string, Array<(event: MessageEvent<string>) => void>>();
  constructor(readonly url: string) {
    FakeEventSource.opened.push(this);
  }
  addEventListener(name: string, listener: (event: MessageEvent<string>) => void) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
  }
  close() {
    this.readyState = FakeEventSource.CLOSED;
  }
  open() {
    this.readyState = FakeEventSource.OPEN;
    this.onopen?.();
  }
  send(name: string, data: unknown) {
    const event = new MessageEvent(name, { data: JSON.stringify(data) });
    if (name === 'message') this.onmessage?.(event);
    for (const listener of this.listeners.get(name) ?? []) listener(event);
  }
}

describe('useTaskLog', () => {
  let requests: string[];

  beforeEach(() => {
    requests = [];
    FakeEventSource.opened = [];
    vi.stubGlobal('EventSource', FakeEventSource);
    // Two pages of history: lines 1-2, then 3.
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        requests.push(url);
        const after = new URL(url, 'http://x').searchParams.get('after');
        const body = after ? { items: [line(3)], nextCursor: null } : { items: [line(1), line(2)], nextCursor: '2' };
        return new Response(JSON.stringify(body), { status: 200 });
      }),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  it('pages the history, then follows the stream from the last line read until its end', async () => {
    const { result } = renderHook(() => useTaskLog('run-1', 'each[2]', 1, true));
    await waitFor(() => expect(FakeEventSource.opened).toHaveLength(1));
    expect(requests).toEqual([
      '/api/v1/runs/run-1/tasks/each%5B2%5D/logs?attempt=1&limit=10000',
      '/api/v1/runs/run-1/tasks/each%5B2%5D/logs?attempt=1&after=2&limit=10000',
    ]);
    const source = FakeEventSource.opened[0]!;
    expect(source.url).toBe('/api/v1/runs/run-1/tasks/each%5B2%5D/logs/stream?attempt=1&lastEventId=3');

    act(() => {
      source.open();
      source.send('message', line(3)); // sent again after a reconnect: kept once
      source.send('message', line(4));
      source.send('end', { attempt: 1, lastSeq: 4 });
    });
    await waitFor(() => expect(result.current.live).toBe('ended'));
    expect(result.current.lines.map((l) => l.seq)).toEqual([1, 2, 3, 4]);
    expect(result.current.loading).toBe(false);
    expect(source.readyState).toBe(FakeEventSource.CLOSED);
  });

  it('reads an attempt that is over without opening a stream', async () => {
    const { result } = renderHook(() => useTaskLog('run-1', 'build', 2, false));
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.lines.map((l) => l.seq)).toEqual([1, 2, 3]);
    expect(FakeEventSource.opened).toHaveLength(0);
    expect(result.current.live).toBe('off');
  });

  it('shows the API refusal as an error', async () => {
    vi.stubGlobal(
      'fetch',
      async () => new Response(JSON.stringify({ statusCode: 404, message: 'run run-1 has no task "nope"' }), { status: 404 }),
    );
    const { result } = renderHook(() => useTaskLog('run-1', 'nope', 1, true));
    await waitFor(() => expect(result.current.error?.message).toBe('run run-1 has no task "nope"'));
    expect(FakeEventSource.opened).toHaveLength(0);
  });
});
