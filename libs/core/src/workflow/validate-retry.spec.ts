import { aTask, aWorkflow, issueLines, type Fields } from './testing/workflow-factory';
import { validateWorkflow } from './validate-workflow';

const retryOf = (taskRetry?: Fields, defaultsRetry?: Fields) =>
  validateWorkflow(
    aWorkflow({ spec: defaultsRetry ? { defaults: { retry: defaultsRetry } } : {}, tasks: [aTask(taskRetry ? { retry: taskRetry } : {})] }),
  ).spec.tasks[0]!.retry;
const issues = (taskRetry?: Fields, defaultsRetry?: Fields) =>
  issueLines(() =>
    validateWorkflow(
      aWorkflow({
        spec: defaultsRetry ? { defaults: { retry: defaultsRetry } } : {},
        tasks: [aTask(taskRetry ? { retry: taskRetry } : {})],
      }),
    ),
  );

describe('validateWorkflow: retry policies', () => {
  it('uses the built-in policy when nothing is set: one attempt, no retry', () => {
    expect(retryOf()).toEqual({ maxAttempts: 1, initialInterval: 1_000, backoffCoefficient: 2, maxInterval: 100_000, nonRetryable: [] });
  });

  it('merges field by field: task, then spec.defaults, then built-in', () => {
    expect(retryOf({ maxAttempts: 5 }, { maxAttempts: 3, initialInterval: '2s', nonRetryable: ['ValidationError'] })).toEqual({
      maxAttempts: 5,
      initialInterval: 2_000,
      backoffCoefficient: 2,
      maxInterval: 200_000,
      nonRetryable: ['ValidationError'],
    });
    expect(retryOf({ nonRetryable: [] }, { nonRetryable: ['ValidationError'] }).nonRetryable).toEqual([]);
  });

  it('sets maxInterval to 100 times the effective initialInterval when no block sets it', () => {
    expect(retryOf({ initialInterval: '500ms' }).maxInterval).toBe(50_000);
    expect(retryOf({ initialInterval: '5s' }, { maxInterval: '1m' }).maxInterval).toBe(60_000);
  });

  it('accepts every documented field', () => {
    expect(
      retryOf({ maxAttempts: 100, initialInterval: 250, backoffCoefficient: 1.5, maxInterval: '1h', nonRetryable: ['A', 'B', 'A'] }),
    ).toEqual({
      maxAttempts: 100,
      initialInterval: 250,
      backoffCoefficient: 1.5,
      maxInterval: 3_600_000,
      nonRetryable: ['A', 'B'],
    });
  });

  it('rejects attempts outside 1..100, a coefficient below 1 and bad intervals', () => {
    expect(
      issues({ maxAttempts: 0, backoffCoefficient: 0.5, initialInterval: 'soon', maxInterval: '1 min', nonRetryable: 'ValidationError' }),
    ).toEqual([
      'spec.tasks[0].retry.maxAttempts: must be an integer from 1 to 100, not 0',
      'spec.tasks[0].retry.initialInterval: invalid duration "soon" (use 500ms, 10s, 5m, 1h, 1d or milliseconds)',
      'spec.tasks[0].retry.maxInterval: invalid duration "1 min" (use 500ms, 10s, 5m, 1h, 1d or milliseconds)',
      'spec.tasks[0].retry.backoffCoefficient: must be a number of at least 1, not 0.5',
      'spec.tasks[0].retry.nonRetryable: must be a list, not a string ("ValidationError")',
    ]);
    expect(issues({ maxAttempts: 101 })).toEqual(['spec.tasks[0].retry.maxAttempts: must be an integer from 1 to 100, not 101']);
    expect(issues({ nonRetryable: [1] })).toEqual(['spec.tasks[0].retry.nonRetryable[0]: must be a string, not a number (1)']);
    expect(issues(undefined, { maxAttempts: 1.5 })).toEqual(['spec.defaults.retry.maxAttempts: must be an integer from 1 to 100, not 1.5']);
  });

  it('rejects a maxInterval shorter than initialInterval, where it was set', () => {
    expect(issues({ initialInterval: '10s', maxInterval: '1s' })).toEqual([
      'spec.tasks[0].retry.maxInterval: maxInterval (1s) must not be shorter than initialInterval (10s)',
    ]);
    expect(issues(undefined, { initialInterval: '10s', maxInterval: '1s' })).toEqual([
      'spec.defaults.retry.maxInterval: maxInterval (1s) must not be shorter than initialInterval (10s)',
    ]);
    expect(issues({ initialInterval: '2m' }, { maxInterval: '1m' })).toEqual([
      'spec.tasks[0].retry.maxInterval: maxInterval (1m) must not be shorter than initialInterval (2m)',
    ]);
  });

  it('requires retry to be a mapping', () => {
    expect(issues(3 as unknown as Fields)).toEqual(['spec.tasks[0].retry: must be a mapping, not a number (3)']);
  });
});
