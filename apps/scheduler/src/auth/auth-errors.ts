import { FlowctlError } from '@flowctl/core';

/** No credential where one is needed, or one that is invalid, expired or revoked: HTTP 401. */
export class Unauthorized extends FlowctlError {
  readonly code = 'Unauthorized';
}

/** A known caller whose role or namespaces do not allow the request: HTTP 403. */
export class Forbidden extends FlowctlError {
  readonly code = 'Forbidden';
}
