import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Access } from './access';
import type { Role } from './role';

export const REQUIRED_ROLE = 'flowctl:requiredRole';
export const PUBLIC_ROUTE = 'flowctl:public';
export const CLUSTER_WIDE = 'flowctl:clusterWide';
export const QUERY_TOKEN_ALLOWED = 'flowctl:queryToken';
export const AUDITED_ACTION = 'flowctl:auditedAction';

/** The least role a handler (or every handler of a controller) needs. */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

/** Health, readiness and metrics: answered without a token. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Shows or changes what belongs to no namespace (workers, queues, tokens, the audit log): only for tokens of every namespace. */
export const ClusterWide = () => SetMetadata(CLUSTER_WIDE, true);

/**
 * SSE endpoints: EventSource cannot send headers, so these also take the token
 * as `?access_token=`. Only these: elsewhere a token in a URL would end up in
 * access logs for no reason.
 */
export const AcceptsQueryToken = () => SetMetadata(QUERY_TOKEN_ALLOWED, true);

export const AUDITED_BY_HANDLER = 'flowctl:auditedByHandler';

/**
 * A change written to the audit log, whatever its outcome: `run.cancel`, `token.create`, ...
 * `successInTransaction`: the handler writes the row of a success itself, in the transaction of the
 * change (so the change and its record commit together); failures are still recorded for it.
 */
export const Audited = (action: string, options: { successInTransaction?: boolean } = {}) =>
  applyDecorators(SetMetadata(AUDITED_ACTION, action), SetMetadata(AUDITED_BY_HANDLER, options.successInTransaction ?? false));

export const ACCESS_KEY = 'flowctlAccess';

/** The caller's Access, set by the AuthGuard on the request. */
export const CallerAccess = createParamDecorator((_data: unknown, context: ExecutionContext): Access => {
  const request = context.switchToHttp().getRequest<Record<string, unknown>>();
  return request[ACCESS_KEY] as Access;
});
