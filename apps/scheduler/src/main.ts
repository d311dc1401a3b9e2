import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { openApiDocument } from '@flowctl/api-contract';
import express from 'express';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exitWithParent } from '@flowctl/observability';
import { configureLogging, getLogger, isTracingEnabled, NestPinoLogger, startTracing } from '@flowctl/observability';
import { ApiErrorFilter } from './api/api-error.filter';
import { httpTracingMiddleware } from './api/http-tracing.middleware';
import { SchedulerModule } from './app.module';
import { Authenticator } from './auth/authenticator';
import { loadSchedulerConfig, type SchedulerConfig } from './config/scheduler-config';
import { rateLimitMiddleware } from './http/rate-limit.middleware';
import { VerifiedBearers } from './http/verified-bearers';
import { requestBodyParsers } from './http/request-body';
import { eventBodyParser } from './http/event-body';
import { EventMetrics } from './metrics/event-metrics';
import { contentSecurityPolicy, inlineScriptHashes, securityHeadersMiddleware } from './http/security-headers.middleware';

export const API_PREFIX = 'api/v1';
const LOOPBACK = '127.0.0.1';

/** Logging and tracing are set up before Nest starts, so its own start-up lines and the first requests are covered. */
export async function startScheduler(config: SchedulerConfig) {
  configureLogging({ service: 'scheduler', level: config.observability.logLevel, format: config.observability.logFormat });
  startTracing(config.observability.tracing);
  const app = await NestFactory.create(SchedulerModule.forConfig(config), { bodyParser: false, logger: new NestPinoLogger(getLogger()) });
  if (isTracingEnabled()) app.use(httpTracingMiddleware());
  const server: express.Express = app.getHttpAdapter().getInstance();
  server.disable('x-powered-by');
  const dashboardPage = config.webRoot ? join(config.webRoot, 'index.html') : undefined;
  const hasDashboard = dashboardPage !== undefined && existsSync(dashboardPage);
  app.use(securityHeadersMiddleware(contentSecurityPolicy(hasDashboard ? inlineScriptHashes(readFileSync(dashboardPage, 'utf8')) : [])));
  // CORS off unless origins are listed: without its headers a browser keeps other sites' pages from reading the API.
  if (config.corsOrigins.length > 0) {
    app.enableCors({ origin: config.corsOrigins, allowedHeaders: ['Authorization', 'Content-Type'], maxAge: 600 });
  }
  // Before the body parsers: a throttled client costs no parsing.
  if (config.rateLimit) app.use(rateLimitMiddleware(config.rateLimit, app.get(VerifiedBearers)));
  app.use(eventBodyParser(app.get(EventMetrics)));
  for (const parser of requestBodyParsers()) app.use(parser);
  app.setGlobalPrefix(API_PREFIX, { exclude: [] });
  app.useGlobalFilters(new ApiErrorFilter());
  app.enableShutdownHooks();

  // Written from the contract's route table (request and answer schemas, examples, errors), not from decorators.
  const document = openApiDocument({ prefix: `/${API_PREFIX}` }) as unknown as OpenAPIObject;
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });

  if (config.webRoot && hasDashboard) {
    const webRoot = config.webRoot;
    const serveFile = express.static(webRoot, { index: 'index.html', maxAge: '1h' });
    // Ahead of the API's routes in Express's stack: API paths go straight on, without looking for a file first.
    app.use((request: express.Request, response: express.Response, next: express.NextFunction) => {
      if (request.path.startsWith('/api/')) return next();
      serveFile(request, response, (error?: unknown) => {
        // Deep links (/runs/:id) are the dashboard's routes: answer them with its page.
        if (error || request.method !== 'GET') return next(error);
        response.sendFile(join(webRoot, 'index.html'));
      });
    });
  }

  await app.listen(config.port, await listenHost(app.get(Authenticator), config.host));
  return app;
}

/** Without any auth configured every request is admin: then only this machine may ask. */
async function listenHost(authenticator: Authenticator, host: string): Promise<string> {
  if (await authenticator.isConfigured()) return host;
  getLogger('Auth').warn(
    `no authentication configured (no FLOWCTL_ADMIN_TOKEN, FLOWCTL_JWT_SECRET, FLOWCTL_JWKS_URL or API token): every request is admin, ` +
      `so the API listens on ${LOOPBACK} only${host === LOOPBACK ? '' : ` (HOST=${host} ignored)`}; set FLOWCTL_ADMIN_TOKEN to serve other hosts`,
  );
  return LOOPBACK;
}

if (require.main === module) {
  let config: SchedulerConfig;
  try {
    config = loadSchedulerConfig();
  } catch (error) {
    console.error(`flowctl scheduler: ${(error as Error).message}`);
    process.exit(2);
  }
  exitWithParent();
  startScheduler(config).then(
    async (app) =>
      getLogger('Scheduler').info(
        { schedulerId: config.schedulerId, tracing: isTracingEnabled() },
        `scheduler ${config.schedulerId} listening on ${await app.getUrl()} (queues on ${config.redisUrl ? 'Redis' : 'PostgreSQL'})`,
      ),
    (error: Error) => {
      getLogger('Scheduler').fatal({ err: error }, `flowctl scheduler failed to start: ${error.message}`);
      process.exit(1);
    },
  );
}
