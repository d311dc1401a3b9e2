import { EmitEventBody, MAX_EVENT_BYTES } from '@flowctl/api-contract';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { EventMetrics } from '../metrics/event-metrics';

const RAW_BODY = Symbol('flowctl:rawBody');
const EVENTS_PATH = '/api/v1/events';
const HOOKS_PREFIX = '/api/v1/hooks/';

/**
 * Events and hook calls are read here, before the general body parsers: with
 * their own smaller limit (an event says what happened, it does not carry
 * files), keeping the exact bytes a hook's signature covers, and counting
 * every refusal (too large, not JSON) as a rejected event.
 */
export function eventBodyParser(metrics: EventMetrics) {
  const raw = express.raw({ type: () => true, limit: MAX_EVENT_BYTES });
  return (request: Request, response: Response, next: NextFunction) => {
    const source =
      request.method !== 'POST'
        ? undefined
        : request.path === EVENTS_PATH
          ? 'api'
          : request.path.startsWith(HOOKS_PREFIX)
            ? 'hook'
            : undefined;
    if (!source) return next();
    raw(request, response, (error?: { status?: number; message?: string }) => {
      if (error) {
        const status = error.status === 413 ? 413 : 400;
        metrics.eventReceived(source);
        metrics.eventRejected(source, status === 413 ? 'too_large' : 'malformed');
        const message =
          status === 413
            ? `the body is larger than ${MAX_EVENT_BYTES} bytes, the most an event may be`
            : (error.message ?? 'unreadable body');
        return refuse(response, status, message);
      }
      const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      (request as Request & { [RAW_BODY]?: Buffer })[RAW_BODY] = bytes;
      if (bytes.length === 0) {
        request.body = undefined;
        return next();
      }
      try {
        request.body = JSON.parse(bytes.toString('utf8')) as unknown;
      } catch (parseError) {
        metrics.eventReceived(source);
        metrics.eventRejected(source, 'malformed');
        return refuse(response, 400, `request body is not valid JSON: ${(parseError as Error).message}`);
      }
      // The contract's check answers with its reason; counted here, where both refusals of a body meet.
      if (source === 'api' && !EmitEventBody.safeParse(request.body).success) {
        metrics.eventReceived(source);
        metrics.eventRejected(source, 'invalid');
      }
      next();
    });
  };
}

/** The bytes of a hook call as they arrived (empty when there was no body). */
export function rawBodyOf(request: Request): Buffer {
  return (request as Request & { [RAW_BODY]?: Buffer })[RAW_BODY] ?? Buffer.alloc(0);
}

function refuse(response: Response, status: 400 | 413, message: string): void {
  response.status(status).json({ statusCode: status, error: status === 413 ? 'Payload Too Large' : 'Bad Request', message });
}
