import { InvalidInput } from '@flowctl/core';
import { MAX_LOG_BYTES, parseComplete, parseFail, parseHeartbeat, parseLogs, parsePoll } from './worker-requests';

describe('worker protocol requests', () => {
  it('fills a poll with its defaults', () => {
    expect(parsePoll({ workerId: 'py-1@host', types: ['py-square'] })).toEqual({
      workerId: 'py-1@host',
      types: ['py-square'],
      max: 1,
      waitMs: 30_000,
    });
  });

  it.each([
    [{}, 'workerId'],
    [{ workerId: 'a b', types: ['x'] }, 'workerId'],
    [{ workerId: 'x'.repeat(129), types: ['x'] }, 'workerId'],
    [{ workerId: 'w', types: [] }, 'types'],
    [{ workerId: 'w', types: ['x', 'x'] }, 'must not repeat'],
    [{ workerId: 'w', types: ['no spaces'] }, 'types.0'],
    [{ workerId: 'w', types: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'types'],
    [{ workerId: 'w', types: ['x'], max: 0 }, 'max'],
    [{ workerId: 'w', types: ['x'], max: 101 }, 'max'],
    [{ workerId: 'w', types: ['x'], waitMs: 30_001 }, 'waitMs'],
    [{ workerId: 'w', types: ['x'], waitMs: 1.5 }, 'waitMs'],
    [{ workerId: 'w', types: ['x'], extra: 1 }, 'extra'],
    ['a string', 'body'],
  ])('refuses the poll %j naming %s', (body, reason) => {
    expect(() => parsePoll(body)).toThrow(InvalidInput);
    expect(() => parsePoll(body)).toThrow(reason);
  });

  it('takes heartbeats with or without details, and refuses other fields', () => {
    expect(parseHeartbeat(undefined)).toEqual({});
    expect(parseHeartbeat({ details: { done: 3 } })).toEqual({ details: { done: 3 } });
    expect(() => parseHeartbeat({ detail: 1 })).toThrow('detail');
  });

  it('takes any output, null included', () => {
    expect(parseComplete({ output: null })).toEqual({ output: null });
    expect(parseComplete({ output: [1, 'two'] })).toEqual({ output: [1, 'two'] });
  });

  it('needs a failure with a type and a message', () => {
    expect(parseFail({ error: { type: 'Boom', message: 'no', nonRetryable: true }, details: { at: 2 } })).toEqual({
      error: { type: 'Boom', message: 'no', nonRetryable: true },
      details: { at: 2 },
    });
    expect(() => parseFail({ error: { message: 'no' } })).toThrow('error.type');
    expect(() => parseFail({ error: { type: 'X', message: 'no', nonRetryable: 'yes' } })).toThrow('error.nonRetryable');
    expect(() => parseFail({})).toThrow('error');
  });

  it('fills log lines with level and stream, and bounds a call', () => {
    expect(parseLogs({ lines: [{ message: 'hi' }] })).toEqual({ lines: [{ message: 'hi', level: 'info', stream: 'log' }] });
    expect(() => parseLogs({ lines: [{ message: 'hi', level: 'loud' }] })).toThrow('lines.0.level');
    expect(() => parseLogs({ lines: [{ message: 'hi', stream: 'system' }] })).toThrow('lines.0.stream');
    expect(() => parseLogs({ lines: [{ message: 'hi', ts: 'yesterday' }] })).toThrow('lines.0.ts');
    expect(() => parseLogs({ lines: Array.from({ length: 1001 }, () => ({ message: 'x' })) })).toThrow('lines');
    expect(() => parseLogs({ lines: [{ message: 'x'.repeat(MAX_LOG_BYTES + 1) }] })).toThrow('bytes');
  });
});
