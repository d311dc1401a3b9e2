import { parseResultMessage } from './result-message.guard';

const outcome = {
  kind: 'succeeded',
  runId: '01a20844-7f66-70b6-8cf0-e6bfd233da1d',
  taskRunId: '42',
  attempt: 1,
  workerId: 'w1',
  output: { ok: true },
  startedAt: '2026-11-23T12:00:00.000Z',
  at: '2026-11-23T12:00:01.000Z',
};

describe('parseResultMessage', () => {
  it('accepts a well-formed outcome', () => {
    expect(parseResultMessage(outcome)).toEqual(outcome);
  });

  it.each([
    ['a run id that is not a uuid', { ...outcome, runId: "x'; drop table runs" }],
    ['a task run id that is not a number', { ...outcome, taskRunId: 'abc' }],
    ['attempt zero', { ...outcome, attempt: 0 }],
    ['a failure without an error type', { ...outcome, kind: 'failed', error: { message: 'x' } }],
    ['an unknown kind', { ...outcome, kind: 'exploded' }],
    ['no timestamp', { ...outcome, at: undefined }],
    ['a list', [outcome]],
  ])('drops %s', (_, message) => {
    expect(parseResultMessage(message)).toBeUndefined();
  });

  it('keeps a well-formed trace context', () => {
    const traced = { ...outcome, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    expect(parseResultMessage(traced)).toEqual(traced);
  });

  it('keeps the report but drops a malformed trace context', () => {
    expect(parseResultMessage({ ...outcome, traceparent: 'not-a-traceparent\n' })).toEqual(outcome);
  });

  it('keeps the last log lines an outcome carries', () => {
    const withLines = { ...outcome, logs: { lines: [{ ts: outcome.at, level: 'info', stream: 'log', message: 'done' }], dropped: 3 } };
    expect(parseResultMessage(withLines)).toEqual(withLines);
  });

  it.each([
    ['lines that are not a list', { lines: 'done' }],
    ['a line of an unknown level', { lines: [{ ts: outcome.at, level: 'loud', stream: 'log', message: 'done' }] }],
    ['a list instead of an object', []],
  ])('keeps the outcome but drops log lines with %s', (_, logs) => {
    expect(parseResultMessage({ ...outcome, logs })).toEqual(outcome);
  });
});
