import { context, propagation, trace, ROOT_CONTEXT, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface TracingOptions {
  /** OTEL_SERVICE_NAME, or flowctl-scheduler / flowctl-worker. */
  serviceName: string;
  serviceVersion?: string;
  /** Full URL spans are POSTed to (OTLP/HTTP, JSON). Absent: tracing is off and costs nothing. */
  tracesUrl?: string;
  /** OTEL_EXPORTER_OTLP_HEADERS, parsed. */
  headers?: Record<string, string>;
  /** How long spans wait in the batch before export (OTEL_BSP_SCHEDULE_DELAY). */
  scheduleDelayMs?: number;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Exports the spans still in the batch; call before the process exits. */
  shutdown(): Promise<void>;
}

const TRACER_NAME = 'flowctl';
let enabled = false;
let current: Tracing = { enabled: false, shutdown: async () => undefined };

/**
 * Registers the global tracer provider, context manager and W3C propagator
 * when an OTLP endpoint is configured. Without one nothing is registered: the
 * API's no-op tracer answers, and callers skip building trace context at all.
 */
export function startTracing(options: TracingOptions): Tracing {
  if (!options.tracesUrl) return { enabled: false, shutdown: async () => undefined };
  const exporter = new OTLPTraceExporter({ url: options.tracesUrl, headers: options.headers });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
    }),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: options.scheduleDelayMs ?? 5_000 })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  enabled = true;
  current = {
    enabled: true,
    shutdown: async () => {
      enabled = false;
      await provider.shutdown().catch(() => undefined);
    },
  };
  return current;
}

/** Exports what is left of the started tracing (a no-op when off); for shutdown hooks that did not start it. */
export function stopTracing(): Promise<void> {
  return current.shutdown();
}

export function isTracingEnabled(): boolean {
  return enabled;
}

export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** The W3C `traceparent` of a span (or of the active context), to carry in a job or a report. */
export function traceparentOf(target: Span | Context = context.active()): string | undefined {
  if (!enabled) return undefined;
  const carrier: Record<string, string> = {};
  const ctx = 'spanContext' in target ? trace.setSpan(context.active(), target) : target;
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** The context a received `traceparent` names, to start the next span under; the active one when absent. */
export function contextOf(traceparent: string | undefined): Context {
  if (!traceparent) return context.active();
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/** Parses `key1=value1,key2=value2` (OTEL_EXPORTER_OTLP_HEADERS). */
export function parseOtlpHeaders(value: string | undefined): Record<string, string> | undefined {
  if (!value) return undefined;
  const headers: Record<string, string> = {};
  for (const pair of value.split(',')) {
    const index = pair.indexOf('=');
    if (index <= 0) continue;
    headers[decodeURIComponent(pair.slice(0, index).trim())] = decodeURIComponent(pair.slice(index + 1).trim());
  }
  return headers;
}

/** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is; OTEL_EXPORTER_OTLP_ENDPOINT gets `/v1/traces` appended, as the spec says. */
export function otlpTracesUrl(env: {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
}): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}
