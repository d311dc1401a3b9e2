import { defineEnvironment, env } from '@flowctl/core';
import { LOG_LEVELS } from './logging/logger';

/** The variables every flowctl process reads for its logs and traces (the OTEL_* ones as OpenTelemetry defines them). */
export const OBSERVABILITY_ENVIRONMENT = defineEnvironment({
  logLevel: env.custom(
    'LOG_LEVEL',
    { default: 'info', description: `Lowest level logged: ${LOG_LEVELS.join(', ')}.` },
    (text) => text,
    'info',
  ),
  logFormat: env.oneOf('LOG_FORMAT', {
    default: 'json',
    values: ['json', 'pretty'] as const,
    description: 'json lines (for collectors) or pretty (for people).',
  }),
  serviceName: env.text('OTEL_SERVICE_NAME', { description: 'Service name on spans; default flowctl-scheduler or flowctl-worker.' }),
  endpoint: env.url('OTEL_EXPORTER_OTLP_ENDPOINT', {
    schemes: ['http', 'https'],
    description: 'OTLP/HTTP collector; traces go to its /v1/traces. Unset: tracing off.',
  }),
  tracesEndpoint: env.url('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', {
    schemes: ['http', 'https'],
    description: "Full URL for traces, instead of the endpoint's /v1/traces.",
  }),
  headers: env.text('OTEL_EXPORTER_OTLP_HEADERS', { secret: true, description: 'Headers sent to the collector: key=value,key2=value2.' }),
  tracesHeaders: env.text('OTEL_EXPORTER_OTLP_TRACES_HEADERS', { secret: true, description: 'Headers for traces only.' }),
  protocol: env.text('OTEL_EXPORTER_OTLP_PROTOCOL', { description: 'Only http/json is supported.' }),
  tracesProtocol: env.text('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', { description: 'Only http/json is supported.' }),
  exporter: env.text('OTEL_TRACES_EXPORTER', { description: 'none turns tracing off.' }),
  disabled: env.text('OTEL_SDK_DISABLED', { description: 'true turns tracing off.' }),
  scheduleDelay: env.integer('OTEL_BSP_SCHEDULE_DELAY', {
    min: 0,
    max: 3_600_000,
    unit: 'milliseconds',
    description: 'How long spans wait to be sent in a batch.',
  }),
});
