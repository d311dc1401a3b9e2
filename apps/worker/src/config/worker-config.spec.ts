import { loadWorkerConfig } from './worker-config';

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
    const config = loadWorkerConfig({ ...base, PATH: '/usr/bin', DATABASE_URL: 'postgres://secret', FLOWCTL_SECRET_KEY: 'k' });
    expect(config.shellEnvironment).toEqual({ PATH: '/usr/bin' });
  });
});
