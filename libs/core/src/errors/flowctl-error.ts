/**
 * Domain errors carry a stable `code`; the API's exception filter maps codes to
 * HTTP statuses and the CLI maps them to exit codes. Nothing parses messages.
 */
export abstract class FlowctlError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** One problem in a workflow document, located by its path (`spec.tasks[2].dependsOn[0]`). */
export interface WorkflowIssue {
  path: string;
  message: string;
  /** 1-based line in the YAML source, where known. */
  line?: number;
}

export class WorkflowInvalid extends FlowctlError {
  readonly code = 'WorkflowInvalid';
  constructor(readonly issues: WorkflowIssue[]) {
    super(
      issues
        .map((issue) => `${issue.path ? `${issue.path}: ` : ''}${issue.message}${issue.line ? ` (line ${issue.line})` : ''}`)
        .join('; '),
      { issues },
    );
  }
}

export class InvalidInput extends FlowctlError {
  readonly code = 'InvalidInput';
}

export class NotFound extends FlowctlError {
  readonly code = 'NotFound';
}

export class Conflict extends FlowctlError {
  readonly code = 'Conflict';
}

/** A dependency graph that loops; `cycle` reads in run order and ends where it starts (`['a', 'b', 'a']`). */
export class CycleDetected extends FlowctlError {
  readonly code = 'CycleDetected';
  constructor(
    readonly cycle: string[],
    message = `dependency cycle ${cycle.join(' -> ')}`,
  ) {
    super(message, { cycle });
  }
}
