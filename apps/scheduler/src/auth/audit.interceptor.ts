import { HttpException, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FlowctlError } from '@flowctl/core';
import type { Request, Response } from 'express';
import { catchError, from, mergeMap, type Observable } from 'rxjs';
import { STATUS_BY_CODE } from '../api/api-error.filter';
import type { Access } from './access';
import { AuditRecorder } from './audit-recorder';
import { ACCESS_KEY, AUDITED_ACTION, AUDITED_BY_HANDLER } from './auth-metadata';

/** What a change was aimed at: the run, workflow or token of the route (`run-id/task` for approvals), else what it created. */
export function auditTargetOf(request: Request, result: unknown): string | null {
  const params = request.params as Record<string, string | undefined>;
  const base = params.id ?? params.name;
  // A task of a run is `/runs/:id/tasks/:name`: both parameters make its target.
  const task = params.id !== undefined ? params.name : undefined;
  if (base !== undefined) return task ? `${base}/${task}` : base;
  const created = (result ?? {}) as { name?: unknown; id?: unknown };
  if (typeof created.name === 'string') return created.name;
  if (typeof created.id === 'string') return created.id;
  return null;
}

/** Records every change made through a handler marked @Audited, after it answered or failed. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditRecorder,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const action = this.reflector.get<string | undefined>(AUDITED_ACTION, context.getHandler());
    if (!action) return next.handle();
    const successRecorded = this.reflector.get<boolean | undefined>(AUDITED_BY_HANDLER, context.getHandler()) ?? false;
    const request = context.switchToHttp().getRequest<Request & Record<string, unknown>>();
    const response = context.switchToHttp().getResponse<Response>();
    const access = request[ACCESS_KEY] as Access;
    const record = (statusCode: number, result: unknown, message: string | null) =>
      this.audit.record({
        principal: access.principal,
        action,
        target: auditTargetOf(request, result),
        namespace: access.namespace ?? namespaceOf(result),
        statusCode,
        message,
      });
    return next.handle().pipe(
      mergeMap((result) => (successRecorded ? [result] : from(record(response.statusCode, result, null).then(() => result)))),
      catchError((error: unknown) => from(record(statusOf(error), undefined, messageOf(error)).then(() => Promise.reject(error)))),
    );
  }
}

function namespaceOf(result: unknown): string | null {
  const namespace = (result ?? {}) as { namespace?: unknown };
  return typeof namespace.namespace === 'string' ? namespace.namespace : null;
}

function statusOf(error: unknown): number {
  if (error instanceof HttpException) return error.getStatus();
  if (error instanceof FlowctlError) return STATUS_BY_CODE[error.code] ?? 400;
  return 500;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 500) : String(error).slice(0, 500);
}
