import { loadObservabilityConfig, ObservabilityConfigError } from './observability-config';

describe('loadObservabilityConfig', () => {
  it('logs JSON at info with tracing off when nothing is set', () => {
    expect(loadObservabilityConfig({}, 'flowctl-worker')).toEqual({
      logLevel: 'info',
      logFormat: 'json',
      tracing: { serviceName: 'flowctl-worker', tracesUrl: undefined, headers: undefined, scheduleDelayMs: undefined },
    });
  });

  it('sends traces to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces, or to the traces endpoint as given', () => {
    expect(loadObservabilityConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, 's').tracing.tracesUrl).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      loadObservabilityConfig(
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' },
        's',
      ).tracing.tracesUrl,
    ).toBe('http://b:4318/custom');
  });

  it('reads the service name, headers and batch delay, and turns tracing off when told', () => {
    const config = loadObservabilityConfig(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com',
        OTEL_SERVICE_NAME: 'flowctl-eu',
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-tenant=7',
        OTEL_BSP_SCHEDULE_DELAY: '250',
      },
      'flowctl-scheduler',
    );
    expect(config.tracing).toEqual({
      serviceName: 'flowctl-eu',
      tracesUrl: 'https://otlp.example.com/v1/traces',
      headers: { authorization: 'Bearer abc', 'x-tenant': '7' },
      scheduleDelayMs: 250,
    });
    expect(
      loadObservabilityConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }, 's').tracing.tracesUrl,
    ).toBeUndefined();
  });

  it.each([
    ['an unknown log level', { LOG_LEVEL: 'loud' }],
    ['an unknown log format', { LOG_FORMAT: 'xml' }],
    ['a protocol this build does not send', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }],
    ['an endpoint that is not a URL', { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }],
    ['a batch delay that is not a number', { OTEL_BSP_SCHEDULE_DELAY: 'soon' }],
  ])('refuses %s', (_, env) => {
    expect(() => loadObservabilityConfig(env, 's')).toThrow(ObservabilityConfigError);
  });
});
