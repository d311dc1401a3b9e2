import { field, readDuration, readInteger, readList, readMapping, readString } from './document-fields';
import { formatDuration } from './duration';
import { indexPath, keyPath } from './issue-path';
import type { IssueList } from './issue-list';
import { DEFAULT_RETRY, type RetryPolicy } from './workflow-definition';

export const RETRY_FIELDS = ['maxAttempts', 'initialInterval', 'backoffCoefficient', 'maxInterval', 'nonRetryable'] as const;
export const MAX_ATTEMPTS = 100;
/** Temporal's rule: without an explicit cap, backoff stops growing at 100 times the first interval. */
const DEFAULT_MAX_INTERVAL_FACTOR = 100;

/** A `retry:` block as written (in `spec.defaults` or a task): only the fields it sets. */
export function readRetry(value: unknown, path: string, issues: IssueList): Partial<RetryPolicy> {
  const mapping = readMapping(value, path, issues, RETRY_FIELDS);
  if (!mapping) return {};
  const retry: Partial<RetryPolicy> = {};
  const at = (key: string) => keyPath(path, key);
  const maxAttempts = field(mapping, 'maxAttempts');
  if (maxAttempts !== undefined) retry.maxAttempts = readInteger(maxAttempts, at('maxAttempts'), issues, 1, MAX_ATTEMPTS);
  const initialInterval = field(mapping, 'initialInterval');
  if (initialInterval !== undefined) retry.initialInterval = readDuration(initialInterval, at('initialInterval'), issues);
  const maxInterval = field(mapping, 'maxInterval');
  if (maxInterval !== undefined) retry.maxInterval = readDuration(maxInterval, at('maxInterval'), issues);
  const coefficient = field(mapping, 'backoffCoefficient');
  if (coefficient !== undefined) {
    if (typeof coefficient === 'number' && Number.isFinite(coefficient) && coefficient >= 1) retry.backoffCoefficient = coefficient;
    else issues.add(at('backoffCoefficient'), `must be a number of at least 1, not ${JSON.stringify(coefficient)}`);
  }
  const nonRetryable = field(mapping, 'nonRetryable');
  if (nonRetryable !== undefined) {
    const list = readList(nonRetryable, at('nonRetryable'), issues);
    if (list) {
      const types = list.map((item, i) => readString(item, indexPath(at('nonRetryable'), i), issues));
      if (types.every((type) => type !== undefined)) retry.nonRetryable = [...new Set(types)];
    }
  }
  // Fields that failed to read are left out rather than kept as undefined, so merging falls through to the defaults.
  for (const key of RETRY_FIELDS) if (retry[key] === undefined) delete retry[key];
  return retry;
}

export interface RetrySource {
  policy: Partial<RetryPolicy>;
  path: string;
}

/**
 * A task's effective policy: each field from the task, else `spec.defaults`,
 * else the built-in default. maxInterval, when set nowhere, follows the
 * effective initialInterval. An inconsistent result is reported at the block
 * that set the interval, or nowhere if it was already reported there.
 */
export function effectiveRetry(task: RetrySource, defaults: RetrySource, issues: IssueList): RetryPolicy {
  const pick = <K extends keyof RetryPolicy>(key: K): RetryPolicy[K] => task.policy[key] ?? defaults.policy[key] ?? DEFAULT_RETRY[key];
  const initialInterval = pick('initialInterval');
  const maxInterval = task.policy.maxInterval ?? defaults.policy.maxInterval ?? initialInterval * DEFAULT_MAX_INTERVAL_FACTOR;
  if (maxInterval < initialInterval) {
    const setByTask = task.policy.maxInterval !== undefined || task.policy.initialInterval !== undefined;
    issues.add(
      keyPath((setByTask ? task : defaults).path, 'maxInterval'),
      `maxInterval (${formatDuration(maxInterval)}) must not be shorter than initialInterval (${formatDuration(initialInterval)})`,
    );
  }
  return {
    maxAttempts: pick('maxAttempts'),
    initialInterval,
    backoffCoefficient: pick('backoffCoefficient'),
    maxInterval: Math.max(maxInterval, initialInterval),
    nonRetryable: [...pick('nonRetryable')],
  };
}
