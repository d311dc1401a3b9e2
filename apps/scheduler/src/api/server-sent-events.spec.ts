import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import { ServerSentEvents } from './server-sent-events';

/** Just what ServerSentEvents uses of an express response, recording what was written. */
class FakeResponse extends EventEmitter {
  written = '';
  headers: Record<string, string> = {};
  statusCode = 0;
  ended = false;
  writableLength = 0;
  status(code: number) {
    this.statusCode = code;
    return this;
  }
  setHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
  }
  flushHeaders() {}
  write(chunk: string) {
    this.written += chunk;
    return true;
  }
  end() {
    this.ended = true;
  }
}

function open(heartbeatMs = 15_000) {
  const request = new EventEmitter();
  const response = new FakeResponse();
  const sse = new ServerSentEvents(request as unknown as Request, response as unknown as Response, heartbeatMs);
  return { request, response, sse };
}

describe('ServerSentEvents', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('answers as an unbuffered event stream and tells the browser how soon to reconnect', () => {
    const { response } = open();
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    expect(response.written).toBe('retry: 3000\n\n');
  });

  it('writes each frame as id, event and one line of JSON data', () => {
    const { response, sse } = open();
    sse.send('events', { text: 'two\nlines' }, '42');
    expect(response.written.endsWith('id: 42\nevent: events\ndata: {"text":"two\\nlines"}\n\n')).toBe(true);
  });

  it('sends a heartbeat comment on an idle stream', () => {
    const { response } = open(15_000);
    jest.advanceTimersByTime(45_000);
    expect(response.written.match(/^: heartbeat$/gm)).toHaveLength(3);
  });

  it('cleans up once when the client goes away: no more heartbeats, close handlers run', () => {
    const { request, response, sse } = open(1_000);
    const onClose = jest.fn();
    sse.onClose(onClose);
    request.emit('close');
    request.emit('close');
    jest.advanceTimersByTime(5_000);
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(response.ended).toBe(true);
    expect(response.written).not.toContain('heartbeat');
    sse.send('events', {});
    expect(response.written).not.toContain('event:');
    expect(sse.isOpen).toBe(false);
  });

  it('closes a stream whose client stopped reading instead of buffering without bound', () => {
    const { response, sse } = open();
    response.writableLength = 9 * 1024 * 1024;
    sse.send('snapshot', {});
    expect(response.ended).toBe(true);
  });
});
