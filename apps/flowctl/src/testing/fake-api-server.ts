import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny real HTTP server standing in for the scheduler in CLI tests: it records
 * every request and answers canned JSON. The CLI's boundary is HTTP, so this is
 * the honest place to fake it.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status?: number;
  body?: unknown;
}

/** A fixed reply, successive replies (the last one repeats), or a function of the request. */
export type Route = Reply | Reply[] | ((request: RecordedRequest) => Reply);

export interface FakeApi {
  /** The server URL to give `--server` / `FLOWCTL_SERVER`. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Routes are keyed `METHOD /path` below `/api/v1`, e.g. `GET /runs/r1`. */
export async function startFakeApi(routes: Record<string, Route>): Promise<FakeApi> {
  const requests: RecordedRequest[] = [];
  const calls = new Map<string, number>();
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://fake');
      const path = url.pathname.replace(/^\/api\/v1/, '');
      const request: RecordedRequest = {
        method: incoming.method ?? 'GET',
        path,
        query: url.searchParams,
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const key = `${request.method} ${path}`;
      const route = routes[key];
      const count = calls.get(key) ?? 0;
      calls.set(key, count + 1);
      const reply: Reply =
        route === undefined
          ? { status: 404, body: { statusCode: 404, error: 'Not Found', message: `no route ${key}` } }
          : typeof route === 'function'
            ? route(request)
            : Array.isArray(route)
              ? (route[Math.min(count, route.length - 1)] ?? {})
              : route;
      const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
      response.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
      response.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A URL where nothing listens: a port that was just free. */
export async function unusedServerUrl(): Promise<string> {
  const api = await startFakeApi({});
  await api.close();
  return api.url;
}
