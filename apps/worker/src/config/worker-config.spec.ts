import { loadWorkerConfig, WORKER_ENVIRONMENT } from './worker-config';

const base = { REDIS_URL: 'redis://localhost:6379' };

describe('worker config: http and shell limits', () => {
  it('keeps shell off and bounds http by default', () => {
    const config = loadWorkerConfig(base);
    expect(config.types).not.toHaveProperty('shell');
    expect(config.http).toEqual({ allowlist: ['*'], maxResponseBytes: 1_048_576, timeoutMs: 30_000, maxRedirects: 5 });
  });

  it('reads the allowlist, response limit and time limit', () => {
    const config = loadWorkerConfig({
      ...base,
      FLOWCTL_HTTP_ALLOWLIST: 'API.example.com, 127.0.0.1:8080',
      FLOWCTL_HTTP_MAX_RESPONSE: '65536',
      FLOWCTL_HTTP_TIMEOUT: '5s',
    });
    expect(config.http).toMatchObject({ allowlist: ['api.example.com', '127.0.0.1:8080'], maxResponseBytes: 65_536, timeoutMs: 5_000 });
    expect(() => loadWorkerConfig({ ...base, FLOWCTL_HTTP_MAX_RESPONSE: '2000000' })).toThrow('FLOWCTL_HTTP_MAX_RESPONSE');
    expect(() => loadWorkerConfig({ ...base, FLOWCTL_HTTP_TIMEOUT: 'soon' })).toThrow('FLOWCTL_HTTP_TIMEOUT');
  });

  it('gives shell commands PATH and the like, never the worker credentials', () => {
    const config = loadWorkerConfig({ ...base, PATH: '/usr/bin', DATABASE_URL: 'postgres://secret', FLOWCTL_SECRET_KEY: 'ab'.repeat(32) });
    expect(config.shellEnvironment).toEqual({ PATH: '/usr/bin' });
  });
});

describe('worker config: every variable checked at start', () => {
  it('refuses a concurrency that is not a whole number, naming the variable', () => {
    expect(() => loadWorkerConfig({ ...base, WORKER_CONCURRENCY: 'NaN' })).toThrow(
      'WORKER_CONCURRENCY must be a whole number of tasks from 1 to 10000, got "NaN"',
    );
    expect(() => loadWorkerConfig({ ...base, WORKER_TYPES: 'noop,http:lots' })).toThrow(
      'WORKER_TYPES must give each type a whole-number concurrency',
    );
    expect(() => loadWorkerConfig({ ...base, FLOWCTL_SHELL_ENABLED: 'yes please' })).toThrow('FLOWCTL_SHELL_ENABLED must be true or false');
  });

  it('serves each listed type at its own or the common concurrency', () => {
    expect(loadWorkerConfig({ ...base, WORKER_TYPES: 'noop,http:20', WORKER_CONCURRENCY: '3' }).types).toEqual({ noop: 3, http: 20 });
  });

  it('documents every variable it reads', () => {
    const names = WORKER_ENVIRONMENT.variables.map((variable) => variable.name);
    expect(names).toEqual(
      expect.arrayContaining(['REDIS_URL', 'WORKER_TYPES', 'WORKER_CONCURRENCY', 'FLOWCTL_SHELL_ENABLED', 'METRICS_PORT']),
    );
    expect(new Set(names).size).toBe(names.length);
  });
});
