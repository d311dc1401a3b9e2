import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { NextFunction, Request, Response } from 'express';
import { tracer } from '@flowctl/observability';

/** Probes and scrapes are frequent and say nothing about a run: no span for them. */
const UNTRACED = /^\/api\/v1\/(healthz|readyz|metrics)$/;

/**
 * One server span per API request, continuing a caller's `traceparent`. The
 * request's handler runs inside it, so the run it creates, and the tasks that
 * run dispatches, join the caller's trace. Installed only when tracing is on.
 */
export function httpTracingMiddleware() {
  return (request: Request, response: Response, next: NextFunction): void => {
    if (UNTRACED.test(request.path)) return next();
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    // Named by method alone until routing names the route: raw paths (ids) would make every name unique.
    const span = tracer().startSpan(
      request.method,
      { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: request.method, [ATTR_URL_PATH]: request.path } },
      parent,
    );
    response.once('finish', () => {
      // The route (`/api/v1/workflows/:name/runs`) is known once routing is done; ids stay out of the span name.
      const route = (request.route as { path?: string } | undefined)?.path;
      if (route) {
        span.setAttribute(ATTR_HTTP_ROUTE, route);
        span.updateName(`${request.method} ${route}`);
      }
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.statusCode);
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
