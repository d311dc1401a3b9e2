import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import { FlowctlError } from '@flowctl/core';
import type { Response } from 'express';

export const STATUS_BY_CODE: Record<string, number> = {
  Unauthorized: HttpStatus.UNAUTHORIZED,
  Forbidden: HttpStatus.FORBIDDEN,
  WorkflowInvalid: HttpStatus.BAD_REQUEST,
  InvalidInput: HttpStatus.BAD_REQUEST,
  ExpressionError: HttpStatus.BAD_REQUEST,
  NotFound: HttpStatus.NOT_FOUND,
  Conflict: HttpStatus.CONFLICT,
};

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * The one place errors become HTTP: `{statusCode, error, message}` for every
 * error, so clients parse one shape, plus the domain `code` and `details` when
 * there are any. Only a genuine bug
 * is a 500, and its internals are logged, not sent.
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Api');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.toResponse(exception);
    if (status >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    response.status(status).json({ statusCode: status, error: REASON[status] ?? 'Error', ...body });
  }

  private toResponse(exception: unknown): { status: number; body: Record<string, unknown> } {
    if (exception instanceof FlowctlError) {
      const status = STATUS_BY_CODE[exception.code] ?? HttpStatus.BAD_REQUEST;
      return {
        status,
        body: { message: exception.message, code: exception.code, ...(exception.details ? { details: exception.details } : {}) },
      };
    }
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const message = typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? exception.message);
      return { status: exception.getStatus(), body: { message: Array.isArray(message) ? message.join('; ') : message } };
    }
    // body-parser errors carry a status and an `expose` flag: they are the client's doing.
    const parserError = exception as { status?: number; expose?: boolean; message?: string; type?: string };
    if (parserError && typeof parserError.status === 'number' && parserError.expose) {
      const status = parserError.status;
      const message =
        parserError.type === 'entity.parse.failed' ? `request body is not valid JSON: ${parserError.message}` : parserError.message;
      return { status, body: { message } };
    }
    return { status: 500, body: { message: 'internal error; see the scheduler log' } };
  }
}
