import type { ApiClient } from './api-client';
import type { Run, TaskRun } from './api-shapes';
import { ApiError } from './errors';
import { describeTaskChange, taskChangesSince, waitForRun } from './watch-run';

/** An API whose `GET /runs/:id` answers these in turn (an error is thrown), then the last one for ever. */
const answering = (...answers: (Run | Error)[]) => {
  let calls = 0;
  const get = async () => {
    const answer = answers[Math.min(calls++, answers.length - 1)]!;
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { api: { get } as unknown as ApiClient, calls: () => calls };
};
const notFound = () => new ApiError(404, 'run r1 not found', 'Not Found');

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

describe('waitForRun', () => {
  it('asks again while a promised run does not exist yet, then follows it to its end', async () => {
    const { api, calls } = answering(notFound(), notFound(), { id: 'r1', status: 'succeeded', tasks: [] });
    const outcome = await waitForRun(api, 'r1', { onTaskChange: () => undefined, appearsWithinMs: 10_000 });
    expect(outcome).toMatchObject({ kind: 'finished', run: { status: 'succeeded' } });
    expect(calls()).toBe(3);
  });

  it('fails on a 404 at once for a run that should exist, and past the wait for one promised', async () => {
    await expect(waitForRun(answering(notFound()).api, 'r1', { onTaskChange: () => undefined })).rejects.toThrow('run r1 not found');
    await expect(waitForRun(answering(notFound()).api, 'r1', { onTaskChange: () => undefined, appearsWithinMs: 300 })).rejects.toThrow(
      'run r1 not found',
    );
  });
});
