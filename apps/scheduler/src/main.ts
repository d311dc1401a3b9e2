import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exitWithParent } from '@flowctl/core';
import { ApiErrorFilter } from './api/api-error.filter';
import { SchedulerModule } from './app.module';
import { Authenticator } from './auth/authenticator';
import { loadSchedulerConfig, type SchedulerConfig } from './config/scheduler-config';

export const API_PREFIX = 'api/v1';
/** Twice the largest workflow document the validator accepts, so the validator (not the parser) gives the reason. */
const BODY_LIMIT = '2mb';
const LOOPBACK = '127.0.0.1';
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'];

export async function startScheduler(config: SchedulerConfig) {
  const app = await NestFactory.create(SchedulerModule.forConfig(config), { bodyParser: false, logger: ['log', 'warn', 'error'] });
  app.use(express.json({ limit: BODY_LIMIT, strict: false }));
  app.use(express.text({ type: YAML_TYPES, limit: BODY_LIMIT }));
  app.setGlobalPrefix(API_PREFIX, { exclude: [] });
  app.useGlobalFilters(new ApiErrorFilter());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('flowctl')
      .setDescription('Durable DAG workflow orchestrator: REST API')
      .setVersion('v1')
      // An API token or a JWT, as `Authorization: Bearer` (health, readiness and metrics need none).
      .addBearerAuth({ type: 'http', scheme: 'bearer' }, 'bearer')
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });

  if (config.webRoot && existsSync(join(config.webRoot, 'index.html'))) {
    const webRoot = config.webRoot;
    app.use(express.static(webRoot, { index: 'index.html', maxAge: '1h' }));
    // Deep links (/runs/:id) are the dashboard's routes: answer them with its page.
    app.use((request: express.Request, response: express.Response, next: express.NextFunction) => {
      if (request.method !== 'GET' || request.path.startsWith('/api/')) return next();
      response.sendFile(join(webRoot, 'index.html'));
    });
  }

  await app.listen(config.port, await listenHost(app.get(Authenticator), config.host));
  return app;
}

/** Without any auth configured every request is admin: then only this machine may ask. */
async function listenHost(authenticator: Authenticator, host: string): Promise<string> {
  if (await authenticator.isConfigured()) return host;
  new Logger('Auth').warn(
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
      new Logger('Scheduler').log(
        `scheduler ${config.schedulerId} listening on ${await app.getUrl()} (queues on ${config.redisUrl ? 'Redis' : 'PostgreSQL'})`,
      ),
    (error: Error) => {
      console.error(`flowctl scheduler failed to start: ${error.stack ?? error.message}`);
      process.exit(1);
    },
  );
}
