import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A small HTTP server for a process that has no API of its own (the worker):
 * `/metrics` for Prometheus, `/livez` for liveness (the process answers),
 * `/healthz` for readiness: 200 when its health check passes (the worker's:
 * its queues answer), 503 with the reason if not.
 */
/** What `/healthz` checks: resolves when healthy, rejects with the reason when not. */
export type HealthCheck = () => Promise<void>;

export async function startMetricsServer(options: {
  port: number;
  host: string;
  registry: Registry;
  health?: HealthCheck;
}): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    // Liveness: the process answers. A lost Redis must not get every worker restarted, only taken out of rotation.
    if (path === '/livez') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (path === '/healthz') {
      const check = options.health ?? (() => Promise.resolve());
      check().then(
        () => response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'),
        (error: Error) =>
          response
            .writeHead(503, { 'content-type': 'application/json' })
            .end(JSON.stringify({ status: 'unavailable', reason: error.message })),
      );
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${error.message}`),
      );
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
