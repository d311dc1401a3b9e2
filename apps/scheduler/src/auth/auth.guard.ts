import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { namespaceParam } from '../api/request-params';
import { VerifiedBearers } from '../http/verified-bearers';
import { Access } from './access';
import { Forbidden } from './auth-errors';
import { auditTargetOf } from './audit.interceptor';
import { AuditRecorder } from './audit-recorder';
import { ACCESS_KEY, AUDITED_ACTION, CLUSTER_WIDE, PUBLIC_ROUTE, QUERY_TOKEN_ALLOWED, REQUIRED_ROLE } from './auth-metadata';
import { Authenticator } from './authenticator';
import type { Principal } from './principal';
import { presentedTokenOf } from './presented-token';
import { hasRole, type Role } from './role';

/**
 * On every route: who is calling (401 when that cannot be established), and
 * whether their role and namespaces allow the handler (403). A handler that
 * declares no role needs admin, so a forgotten decorator fails closed.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly audit: AuditRecorder,
    private readonly verifiedBearers: VerifiedBearers,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & Record<string, unknown>>();
    const secret = credentialOf(request, this.reflector.getAllAndOverride<boolean>(QUERY_TOKEN_ALLOWED, targets) ?? false);
    const credential = secret === undefined ? undefined : presentedTokenOf(request, secret);
    const principal = await this.authenticator.authenticate(credential);
    if (credential) this.verifiedBearers.remember(credential.digest);
    const access = new Access(principal);
    request[ACCESS_KEY] = access;

    const required = this.reflector.getAllAndOverride<Role>(REQUIRED_ROLE, targets) ?? 'admin';
    if (!hasRole(principal.role, required))
      await this.deny(context, principal, `this needs the ${required} role; the token has ${principal.role}`);
    if (this.reflector.getAllAndOverride<boolean>(CLUSTER_WIDE, targets) && !access.isClusterWide)
      await this.deny(context, principal, 'this is cluster-wide: it needs a token of every namespace');
    return true;
  }

  private async deny(context: ExecutionContext, principal: Principal, message: string): Promise<never> {
    const action = this.reflector.get<string | undefined>(AUDITED_ACTION, context.getHandler());
    if (action) {
      const request = context.switchToHttp().getRequest<Request>();
      await this.audit.record({
        principal,
        action,
        target: auditTargetOf(request, undefined),
        namespace: claimedNamespace(request.query.namespace),
        statusCode: 403,
        message,
      });
    }
    throw new Forbidden(message);
  }
}

function credentialOf(request: Request, queryTokenAllowed: boolean): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    // A malformed header is a wrong credential, not a missing one: it must not fall back to anonymous.
    return match ? match[1]! : '';
  }
  const query = request.query.access_token;
  if (queryTokenAllowed && typeof query === 'string' && query !== '') return query;
  return undefined;
}

/** The namespace a refused request named, when it is a valid name: client input goes to the audit log only checked. */
function claimedNamespace(value: unknown): string | null {
  try {
    return typeof value === 'string' && value !== '' ? namespaceParam(value) : null;
  } catch {
    return null;
  }
}
