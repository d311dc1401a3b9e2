import { decideChildRunEnd, decideFanOutEnd, decideRunEnd, upstreamResultOf } from './task-ends';

describe('upstreamResultOf', () => {
  it('counts failed and dead as failed, skipped and cancelled as skipped', () => {
    expect(upstreamResultOf('succeeded')).toBe('succeeded');
    expect(upstreamResultOf('failed')).toBe('failed');
    expect(upstreamResultOf('dead')).toBe('failed');
    expect(upstreamResultOf('skipped')).toBe('skipped');
    expect(upstreamResultOf('cancelled')).toBe('skipped');
  });
});

describe('decideFanOutEnd', () => {
  it('waits while instances are still open', () => {
    expect(decideFanOutEnd({ total: 3, succeeded: 1, failed: 1 })).toBeUndefined();
  });

  it('succeeds when every instance succeeded, including an empty list', () => {
    expect(decideFanOutEnd({ total: 3, succeeded: 3, failed: 0 })).toEqual({ status: 'succeeded' });
    expect(decideFanOutEnd({ total: 0, succeeded: 0, failed: 0 })).toEqual({ status: 'succeeded' });
  });

  it('fails when any instance did not succeed', () => {
    expect(decideFanOutEnd({ total: 3, succeeded: 2, failed: 1 })).toEqual({
      status: 'failed',
      error: { type: 'InstancesFailed', message: '1 of 3 instances did not succeed', details: { failed: 1, total: 3 } },
    });
  });
});

describe('decideChildRunEnd', () => {
  it('ends the workflow task as its child ended', () => {
    expect(decideChildRunEnd({ id: 'c1', status: 'succeeded' })).toEqual({ status: 'succeeded' });
    for (const status of ['failed', 'cancelled', 'timed_out'] as const) {
      expect(decideChildRunEnd({ id: 'c1', status })).toEqual({
        status: 'failed',
        error: { type: 'ChildRunFailed', message: `child run c1 ${status}`, nonRetryable: true, details: { childRunId: 'c1', status } },
      });
    }
  });
});

describe('decideRunEnd', () => {
  it('goes on while tasks are open', () => {
    expect(decideRunEnd({ status: 'running', tasksOpen: 1, tasksFailed: 1 })).toBeUndefined();
  });

  it('ends with the last open task: failed if any task failed, else succeeded', () => {
    expect(decideRunEnd({ status: 'running', tasksOpen: 0, tasksFailed: 0 })).toBe('succeeded');
    expect(decideRunEnd({ status: 'running', tasksOpen: 0, tasksFailed: 2 })).toBe('failed');
  });

  it('leaves a run that is not running (cancelled, timed out, waiting) as it is', () => {
    for (const status of ['pending', 'cancelled', 'timed_out', 'failed'] as const) {
      expect(decideRunEnd({ status, tasksOpen: 0, tasksFailed: 0 })).toBeUndefined();
    }
  });
});
