import type { Run, TaskRun } from './api-shapes';
import { describeTaskChange, taskChangesSince } from './watch-run';

const aRun = (tasks: Partial<TaskRun>[]): Run => ({
  id: 'r1',
  status: 'running',
  tasks: tasks.map((task, index) => ({ name: `t${index}`, status: 'pending', attempt: 1, ...task })),
});

describe('taskChangesSince', () => {
  it('does not report tasks first seen pending, but does report tasks first seen further along', () => {
    const { changes } = taskChangesSince(new Map(), aRun([{ name: 'extract', status: 'running' }, { name: 'load' }]));
    expect(changes).toEqual([{ task: 'extract', status: 'running', attempt: 1 }]);
  });

  it('reports each change once, in task order', () => {
    const first = taskChangesSince(new Map(), aRun([{ name: 'a', status: 'running' }, { name: 'b' }]));
    const second = taskChangesSince(
      first.snapshot,
      aRun([
        { name: 'a', status: 'succeeded' },
        { name: 'b', status: 'queued' },
      ]),
    );
    expect(second.changes.map(describeTaskChange)).toEqual(['a succeeded', 'b queued']);
    const third = taskChangesSince(
      second.snapshot,
      aRun([
        { name: 'a', status: 'succeeded' },
        { name: 'b', status: 'queued' },
      ]),
    );
    expect(third.changes).toEqual([]);
  });

  it('reports a new attempt even when two polls both saw the task running', () => {
    const first = taskChangesSince(new Map(), aRun([{ name: 'flaky', status: 'running', attempt: 1 }]));
    const second = taskChangesSince(first.snapshot, aRun([{ name: 'flaky', status: 'running', attempt: 2 }]));
    expect(second.changes.map(describeTaskChange)).toEqual(['flaky running (attempt 2)']);
  });
});

describe('describeTaskChange', () => {
  it('adds the error message to failures and retries only', () => {
    expect(describeTaskChange({ task: 'load', status: 'failed', attempt: 3, error: 'HttpError: 503' })).toBe(
      'load failed (attempt 3): HttpError: 503',
    );
    expect(describeTaskChange({ task: 'load', status: 'retrying', attempt: 1, error: 'timeout' })).toBe('load retrying: timeout');
    expect(describeTaskChange({ task: 'load', status: 'succeeded', attempt: 1, error: 'stale' })).toBe('load succeeded');
  });
});
