import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TaskContext } from '@flowctl/worker-sdk';
import { httpHandler, type HttpLimits } from './http.handler';

const context = (): TaskContext => ({
  attempt: 1,
  idempotencyKey: 'r:t',
  runId: 'r',
  taskName: 't',
  workflow: 'w',
  heartbeat: () => undefined,
  lastHeartbeatDetails: undefined,
  signal: new AbortController().signal,
  logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  processOutput: () => true,
  logDrained: () => Promise.resolve(),
});

describe('the http handler', () => {
  let server: Server;
  let port: number;
  const seen: Array<{ host?: string; url?: string }> = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ host: request.headers.host, url: request.url });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const limits = (overrides: Partial<HttpLimits> = {}): HttpLimits => ({
    allowlist: [],
    maxResponseBytes: 1_024,
    timeoutMs: 5_000,
    maxRedirects: 5,
    ...overrides,
  });

  it('connects to the address it checked, not to what the system resolver would say', async () => {
    // `pinned.test` exists for no resolver but this one: reaching the server proves the checked address was used.
    const resolve = jest.fn(async () => [{ address: '127.0.0.1', family: 4 }]);
    const handler = httpHandler(limits({ allowlist: [`pinned.test:${port}`], resolve }));
    const result = await handler({ url: `http://pinned.test:${port}/here` }, context());
    expect(result).toMatchObject({ status: 200, body: { ok: true } });
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(seen.at(-1)).toEqual({ host: `pinned.test:${port}`, url: '/here' });
  });

  it('refuses a header value that would smuggle another header, non-retryably', async () => {
    const handler = httpHandler(limits({ allowlist: [`127.0.0.1:${port}`] }));
    await expect(handler({ url: `http://127.0.0.1:${port}/`, headers: { 'x-a': 'v\r\nx-b: w' } }, context())).rejects.toMatchObject({
      nonRetryable: true,
      message: expect.stringContaining('invalid header'),
    });
  });
});
