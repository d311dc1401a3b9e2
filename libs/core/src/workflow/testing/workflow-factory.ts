import { dump } from 'js-yaml';
import { WorkflowInvalid, type WorkflowIssue } from '../../errors/flowctl-error';

/** Test data builders: a valid document by default, each test overriding only what it is about. */

export type Fields = Record<string, unknown>;

export const aTask = (fields: Fields = {}): Fields => ({ name: 'a', type: 'noop', ...fields });

export interface WorkflowParts {
  tasks?: Fields[];
  /** Merged into `spec` (after tasks, so `spec.tasks` can be replaced wholesale). */
  spec?: Fields;
  metadata?: Fields;
  /** Merged into the document root. */
  root?: Fields;
}

export function aWorkflow(parts: WorkflowParts = {}): Fields {
  return {
    apiVersion: 'flowctl/v1',
    kind: 'Workflow',
    metadata: { name: 'etl', ...parts.metadata },
    spec: { tasks: parts.tasks ?? [aTask()], ...parts.spec },
    ...parts.root,
  };
}

export const asYaml = (document: unknown): string => dump(document, { lineWidth: -1 });

/** The issues a call fails with; throws if it does not fail with WorkflowInvalid. */
export function issuesOf(call: () => unknown): WorkflowIssue[] {
  try {
    call();
  } catch (error) {
    if (error instanceof WorkflowInvalid) return error.issues;
    throw error;
  }
  throw new Error('expected WorkflowInvalid, but the call succeeded');
}

/** `path: message` lines, the easiest shape to assert on. */
export const issueLines = (call: () => unknown): string[] => issuesOf(call).map((issue) => `${issue.path}: ${issue.message}`);
