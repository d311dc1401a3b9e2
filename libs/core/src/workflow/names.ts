import { isForbiddenProperty } from '../expressions/forbidden-properties';
import { WORKFLOW_LIMITS } from './workflow-limits';
import type { IssueList } from './issue-list';
import { describeValue, kindOf } from './document-fields';

/** Workflow, namespace and task names: DNS labels, so they fit URLs, queue keys and Kubernetes alike. */
export const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Task types name BullMQ queues; dots and underscores allow `acme.resize_image`. */
export const TASK_TYPE_PATTERN = /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/;
/** Input names are read as `inputs.NAME`, so they are identifiers. */
export const INPUT_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const LABEL_KEY_PATTERN = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;
export const MAX_LABEL_VALUE_LENGTH = 253;

export const isValidName = (name: string): boolean => name.length <= WORKFLOW_LIMITS.maxNameLength && NAME_PATTERN.test(name);

export function readName(value: unknown, path: string, issues: IssueList): string | undefined {
  if (typeof value !== 'string') {
    issues.add(path, `must be a string, not ${kindOf(value)}`);
    return undefined;
  }
  if (isValidName(value)) return value;
  issues.add(
    path,
    `invalid name ${describeValue(value)}: use lowercase letters, digits and "-", starting and ending with a letter or digit, at most ${WORKFLOW_LIMITS.maxNameLength} characters`,
  );
  return undefined;
}

export function readTaskType(value: unknown, path: string, issues: IssueList): string | undefined {
  if (typeof value !== 'string') {
    issues.add(path, `must be a string, not ${kindOf(value)}`);
    return undefined;
  }
  if (value.length <= WORKFLOW_LIMITS.maxNameLength && TASK_TYPE_PATTERN.test(value)) return value;
  issues.add(
    path,
    `invalid task type ${describeValue(value)}: use lowercase letters, digits, "-", "_" and ".", starting and ending with a letter or digit, at most ${WORKFLOW_LIMITS.maxNameLength} characters`,
  );
  return undefined;
}

export function checkInputName(name: string, path: string, issues: IssueList): boolean {
  if (!INPUT_NAME_PATTERN.test(name) || name.length > WORKFLOW_LIMITS.maxNameLength) {
    issues.add(
      path,
      `invalid input name ${describeValue(name)}: use letters, digits and "_", not starting with a digit, at most ${WORKFLOW_LIMITS.maxNameLength} characters`,
    );
    return false;
  }
  if (isForbiddenProperty(name)) {
    issues.add(path, `input name "${name}" is reserved`);
    return false;
  }
  return true;
}

export function checkLabel(key: string, value: unknown, path: string, issues: IssueList): value is string {
  if (key.length > WORKFLOW_LIMITS.maxNameLength || !LABEL_KEY_PATTERN.test(key)) {
    issues.add(
      path,
      `invalid label key ${describeValue(key)}: use letters, digits, "-", "_", "." and "/", starting and ending with a letter or digit, at most ${WORKFLOW_LIMITS.maxNameLength} characters`,
    );
    return false;
  }
  if (typeof value !== 'string') {
    issues.add(path, `a label value must be a string, not ${kindOf(value)} (quote it)`);
    return false;
  }
  if (value.length > MAX_LABEL_VALUE_LENGTH) {
    issues.add(path, `a label value must be at most ${MAX_LABEL_VALUE_LENGTH} characters`);
    return false;
  }
  return true;
}
