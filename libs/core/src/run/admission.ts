import { evaluateCondition, evaluateExpression } from '../expressions/condition';
import type { ExpressionScope } from '../expressions/expression-scope';
import { renderValue } from '../expressions/render-value';
import type { SecretSlot } from '../expressions/secret-slots';
import { renderTaskInput } from '../workflow/shell-task';
import type { TaskDefinition } from '../workflow/workflow-definition';
import type { TaskFailure } from './task-failure';
import { kindOfTask } from './task-kinds';

/** Instances one `forEach` may expand into; past this the task fails instead of flooding the queues. */
export const MAX_FOREACH_ITEMS = 100_000;

/**
 * What becomes of a task whose trigger rule is met:
 * - `skip`: its `when` is false;
 * - `fail`: a template failed at run time (not retryable: the same data would fail the same way);
 * - `expand`: a `forEach` task, into one instance per item;
 * - `start-child`: a `workflow` task starts its child run;
 * - `await-approval`: an approval step waits, running, for a person's decision;
 * - `queue`: a worker task goes to its queue, its secrets still placeholders.
 */
export type Admission =
  | { kind: 'skip'; reason: 'when' }
  | { kind: 'fail'; failure: TaskFailure }
  | { kind: 'expand'; items: readonly unknown[] }
  | { kind: 'start-child'; workflow: string; inputs: unknown; input: unknown }
  | { kind: 'await-approval'; input: unknown; secretSlots: SecretSlot[] }
  | { kind: 'queue'; input: unknown; secretSlots: SecretSlot[] };

/** A failure at admission that fails the task itself, not the transaction (see admissionFailure). */
export class AdmissionFailed extends Error {
  constructor(
    readonly type: 'TemplateError' | 'ChildRunFailed',
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

/** Decides how a ready task is admitted, from its definition and what its templates may read. */
export function decideAdmission(task: TaskDefinition, scope: ExpressionScope): Admission {
  try {
    if (task.when && !evaluateCondition(task.when, scope)) return { kind: 'skip', reason: 'when' };
    switch (kindOfTask(task)) {
      case 'for-each':
        return { kind: 'expand', items: forEachItems(task, scope) };
      case 'child-run':
        // Validation keeps secrets out of a child's inputs, which are stored and shown.
        return childRunAdmission(renderValue(task.with, scope));
      case 'approval':
        return { kind: 'await-approval', ...renderTaskInput(task.type, task.with, scope) };
      case 'worker':
        return { kind: 'queue', ...renderTaskInput(task.type, task.with, scope) };
    }
  } catch (error) {
    const failure = admissionFailure(error);
    if (!failure) throw error;
    return { kind: 'fail', failure };
  }
}

/**
 * The task failure an error met while admitting a task stands for, or
 * undefined for an error that is no fault of the task (the database, a bug),
 * which must fail the whole transaction instead.
 */
export function admissionFailure(error: unknown): TaskFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  // A domain error (one with a code) is the task's fault too: a child workflow that does not exist, bad inputs.
  if (!['ExpressionError', 'TemplateError', 'ChildRunFailed'].includes(error.name) && !(error as { code?: unknown }).code) return undefined;
  return { type: error.name === 'ChildRunFailed' ? 'ChildRunFailed' : 'TemplateError', message: error.message, nonRetryable: true };
}

function forEachItems(task: TaskDefinition, scope: ExpressionScope): readonly unknown[] {
  const items = evaluateExpression(task.forEach!, scope);
  if (!Array.isArray(items))
    throw new AdmissionFailed('TemplateError', `forEach of ${task.name} gave ${items === null ? 'null' : typeof items}, not a list`);
  if (items.length > MAX_FOREACH_ITEMS)
    throw new AdmissionFailed('TemplateError', `forEach of ${task.name} gave ${items.length} items; the limit is ${MAX_FOREACH_ITEMS}`);
  return items;
}

function childRunAdmission(input: unknown): Admission {
  const { name, inputs } = (input ?? {}) as { name?: unknown; inputs?: unknown };
  if (typeof name !== 'string')
    return {
      kind: 'fail',
      failure: { type: 'ChildRunFailed', message: 'a workflow task needs with.name, the workflow to run', nonRetryable: true },
    };
  return { kind: 'start-child', workflow: name, inputs, input };
}
