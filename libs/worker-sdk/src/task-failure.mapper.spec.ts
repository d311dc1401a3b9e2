import { NonRetryableError } from './task-handler';
import { toTaskFailure } from './task-failure.mapper';

describe('toTaskFailure', () => {
  it('keeps the error name as the failure type so retry.nonRetryable can match it', () => {
    class ValidationError extends Error {
      override name = 'ValidationError';
    }
    expect(toTaskFailure(new ValidationError('bad row'))).toMatchObject({ type: 'ValidationError', message: 'bad row' });
  });

  it('marks NonRetryableError as non-retryable and keeps its details', () => {
    expect(toTaskFailure(new NonRetryableError('nope', { row: 3 }))).toMatchObject({
      type: 'NonRetryableError',
      nonRetryable: true,
      details: { row: 3 },
    });
  });

  it('turns a thrown non-error into a plain failure', () => {
    expect(toTaskFailure('just a string')).toEqual({ type: 'Error', message: 'just a string' });
  });
});
