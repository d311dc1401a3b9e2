import type { ExpressionScope } from '../../expressions/expression-scope';
import type { RetryPolicy, TaskDefinition } from '../../workflow/workflow-definition';

/** Test data for the run decisions: a valid value by default, each test overriding what it is about. */

export const aRetryPolicy = (fields: Partial<RetryPolicy> = {}): RetryPolicy => ({
  maxAttempts: 3,
  initialInterval: 1_000,
  backoffCoefficient: 2,
  maxInterval: 60_000,
  nonRetryable: [],
  ...fields,
});

export const aTaskDefinition = (fields: Partial<TaskDefinition> = {}): TaskDefinition => ({
  name: 'load',
  type: 'noop',
  with: {},
  dependsOn: [],
  trigger: 'all_success',
  priority: 3,
  retry: aRetryPolicy(),
  ...fields,
});

export const aScope = (fields: Partial<ExpressionScope> = {}): ExpressionScope => ({
  inputs: {},
  tasks: {},
  run: { id: 'run-1' },
  workflow: { name: 'etl', namespace: 'default' },
  ...fields,
});
