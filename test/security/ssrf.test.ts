import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FlowctlStack } from '../support/flowctl-stack';
import { aWorkflow } from '../support/workflow-factory';

jest.setTimeout(90_000);

/** A local server on loopback; it counts the requests it receives, so a test can prove one never arrived. */
async function startServer(
  handle: (path: string, respond: (status: number, headers: Record<string, string>, body?: string) => void) => void,
) {
  const hits: string[] = [];
  const server: Server = createServer((request, response) => {
    hits.push(request.url ?? '');
    if (request.url === '/hang') return; // never answers: the worker's time limit must end the task
    handle(request.url ?? '', (status, headers, body) => {
      response.writeHead(status, headers);
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('security: http tasks cannot reach what the worker can (SSRF)', () => {
  let stack: FlowctlStack;
  let allowed: Awaited<ReturnType<typeof startServer>>;
  let internal: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    // Stands for an internal service: nothing may reach it, directly, by name or through a redirect.
    internal = await startServer((_path, respond) => respond(200, { 'content-type': 'text/plain' }, 'internal secret'));
    allowed = await startServer((path, respond) => {
      if (path === '/ok') return respond(200, { 'content-type': 'application/json' }, JSON.stringify({ ok: true }));
      if (path === '/to-loopback') return respond(302, { location: `http://127.0.0.1:${internal.port}/` }, '');
      if (path === '/to-localhost') return respond(307, { location: `http://localhost:${internal.port}/` }, '');
      if (path === '/big') return respond(200, { 'content-type': 'text/plain' }, 'x'.repeat(2 * 1_048_576));
      if (path === '/big-chunked')
        return respond(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' }, 'y'.repeat(2 * 1_048_576));
      respond(404, {}, '');
    });
    stack = await FlowctlStack.start({
      label: 'security_ssrf',
      // The allowed test server is named exactly (host:port); everything else only through the public wildcard.
      workerEnv: { FLOWCTL_HTTP_ALLOWLIST: `*,127.0.0.1:${allowed.port}`, FLOWCTL_HTTP_TIMEOUT: '1s' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await allowed?.close();
    await internal?.close();
  });

  async function runFetch(name: string, url: string): Promise<any> {
    const applied = await stack.api.applyYaml(
      aWorkflow({ name, tasks: [{ name: 'call', type: 'http', with: { url }, retry: { maxAttempts: 3, initialInterval: '100ms' } }] }),
    );
    expect(applied.status).toBe(200);
    const run = await stack.waitForRun((await stack.api.post(`/workflows/${name}/runs`)).body.id);
    return run.tasks.find((t: any) => t.name === 'call');
  }

  it('reaches a server the allowlist names by host:port', async () => {
    const task = await runFetch('allowed', `http://127.0.0.1:${allowed.port}/ok`);
    expect(task.status).toBe('succeeded');
    expect(task.output).toMatchObject({ status: 200, body: { ok: true } });
  });

  it.each([
    ['loopback by address', 'loopback-address', () => `http://127.0.0.1:${internal.port}/`, /127\.0\.0\.1 is a loopback address; refused/],
    ['loopback in IPv4-mapped IPv6', 'loopback-mapped', () => `http://[::ffff:127.0.0.1]:${internal.port}/`, /loopback address; refused/],
    [
      'the cloud metadata address',
      'metadata-address',
      () => 'http://169.254.169.254/latest/meta-data/',
      /169\.254\.169\.254 is a cloud metadata address/,
    ],
    ['the cloud metadata name', 'metadata-name', () => 'http://metadata.google.internal/computeMetadata/v1/', /cloud metadata service/],
    [
      'a name resolving to loopback (/etc/hosts)',
      'private-name',
      () => `http://localhost:${internal.port}/`,
      /localhost resolves to (127\.0\.0\.1|::1), a loopback address/,
    ],
    [
      'a redirect to loopback',
      'redirect-loopback',
      () => `http://127.0.0.1:${allowed.port}/to-loopback`,
      /redirect to http:\/\/127\.0\.0\.1:\d+\/ refused: 127\.0\.0\.1 is a loopback address/,
    ],
    [
      'a redirect to a name resolving to loopback',
      'redirect-localhost',
      () => `http://127.0.0.1:${allowed.port}/to-localhost`,
      /redirect to http:\/\/localhost:\d+\/ refused: localhost resolves to/,
    ],
  ])('refuses %s: the task fails at once, non-retryable, saying why', async (_what, name, url, reason) => {
    const before = internal.hits.length;
    const task = await runFetch(name, url());
    expect(task.status).not.toBe('succeeded');
    expect(task.attempt).toBe(1);
    expect(task.error).toMatchObject({ nonRetryable: true, message: expect.stringMatching(reason) });
    expect(internal.hits.length).toBe(before);
  });

  it.each([
    ['with a Content-Length', 'big-declared', '/big'],
    ['chunked', 'big-chunked', '/big-chunked'],
  ])('refuses a response over the size limit (%s), non-retryable', async (_what, name, path) => {
    const task = await runFetch(name, `http://127.0.0.1:${allowed.port}${path}`);
    expect(task.status).not.toBe('succeeded');
    expect(task.attempt).toBe(1);
    expect(task.error).toMatchObject({ nonRetryable: true, message: expect.stringContaining('over the limit') });
  });

  it('ends a call that outlasts FLOWCTL_HTTP_TIMEOUT as HttpTimeout', async () => {
    const task = await runFetch('hangs', `http://127.0.0.1:${allowed.port}/hang`);
    expect(task.status).not.toBe('succeeded');
    expect(task.error).toMatchObject({ type: 'HttpTimeout', message: expect.stringContaining('took longer than 1000 ms') });
  });
});
