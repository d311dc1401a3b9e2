import { parseLogFormat, parseLogLevel, type LogFormat, type LogLevel } from './logging/logger';
import { otlpTracesUrl, parseOtlpHeaders, type TracingOptions } from './tracing/tracing';

export interface ObservabilityConfig {
  logLevel: LogLevel;
  logFormat: LogFormat;
  tracing: TracingOptions;
}

/** Thrown for a bad value; the app's config loader turns it into its own invalid-input error. */
export class ObservabilityConfigError extends Error {
  override name = 'ObservabilityConfigError';
}

/**
 * LOG_LEVEL, LOG_FORMAT and the standard OTEL_* variables, read by each app's
 * config loader (so nothing deeper reads process.env).
 */
export function loadObservabilityConfig(env: NodeJS.ProcessEnv, defaultServiceName: string): ObservabilityConfig {
  const logLevel = parseLogLevel(env.LOG_LEVEL);
  if (!logLevel) throw new ObservabilityConfigError('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent');
  const logFormat = parseLogFormat(env.LOG_FORMAT);
  if (!logFormat) throw new ObservabilityConfigError('LOG_FORMAT must be json or pretty');
  const off = env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none';
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (protocol && protocol !== 'http/json')
    throw new ObservabilityConfigError(
      `OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: flowctl sends OTLP over HTTP as JSON (http/json), which collectors accept on their HTTP port`,
    );
  const tracesUrl = off ? undefined : otlpTracesUrl(env);
  if (tracesUrl && !/^https?:\/\//.test(tracesUrl))
    throw new ObservabilityConfigError('OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s):// URL');
  const scheduleDelayMs = env.OTEL_BSP_SCHEDULE_DELAY ? Number(env.OTEL_BSP_SCHEDULE_DELAY) : undefined;
  if (scheduleDelayMs !== undefined && (!Number.isInteger(scheduleDelayMs) || scheduleDelayMs < 0))
    throw new ObservabilityConfigError('OTEL_BSP_SCHEDULE_DELAY must be a whole number of milliseconds');
  return {
    logLevel,
    logFormat,
    tracing: {
      serviceName: env.OTEL_SERVICE_NAME || defaultServiceName,
      tracesUrl,
      headers: parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS || env.OTEL_EXPORTER_OTLP_HEADERS),
      scheduleDelayMs,
    },
  };
}
