/**
 * The CLI's error classes: a name, a stable code, a message. `exit-codes.ts`
 * maps them to exit codes; nothing parses messages.
 */

/** The server answered with a non-2xx status. */
export class ApiError extends Error {
  readonly code = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    /** The server's short error name (`Not Found`, `WorkflowInvalid`, ...), when it sent one. */
    readonly error?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** No HTTP answer at all: connection refused, DNS failure, request timeout. */
export class ServerUnreachable extends Error {
  readonly code = 'ServerUnreachable';
  constructor(
    readonly server: string,
    reason: string,
  ) {
    super(`cannot reach the flowctl server at ${server}: ${reason} (is it running? point --server or FLOWCTL_SERVER at it)`);
    this.name = 'ServerUnreachable';
  }
}

/** Something the user gave us is wrong (a bad `--input`, an unreadable file, a bad URL). Exit 2. */
export class InvalidInput extends Error {
  readonly code = 'InvalidInput';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInput';
  }
}

/**
 * The message of anything thrown. Duck-typed on purpose: errors from Node's own
 * modules (fetch, fs) may come from another realm, where `instanceof Error` fails.
 */
export function messageOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
}
