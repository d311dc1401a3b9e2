import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exitWithParent } from '@flowctl/core';
import { configureLogging, getLogger, isTracingEnabled, NestPinoLogger, startTracing } from '@flowctl/observability';
import { ApiErrorFilter } from './api/api-error.filter';
import { httpTracingMiddleware } from './api/http-tracing.middleware';
import { SchedulerModule } from './app.module';
import { loadSchedulerConfig, type SchedulerConfig } from './config/scheduler-config';

export const API_PREFIX = 'api/v1';
/** Twice the largest workflow document the validator accepts, so the validator (not the parser) gives the reason. */
const BODY_LIMIT = '2mb';
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'];

/** Logging and tracing are set up before Nest starts, so its own start-up lines and the first requests are covered. */
export async function startScheduler(config: SchedulerConfig) {
  configureLogging({ service: 'scheduler', level: config.observability.logLevel, format: config.observability.logFormat });
  startTracing(config.observability.tracing);
  const app = await NestFactory.create(SchedulerModule.forConfig(config), { bodyParser: false, logger: new NestPinoLogger(getLogger()) });
  if (isTracingEnabled()) app.use(httpTracingMiddleware());
  app.use(express.json({ limit: BODY_LIMIT, strict: false }));
  app.use(express.text({ type: YAML_TYPES, limit: BODY_LIMIT }));
  app.setGlobalPrefix(API_PREFIX, { exclude: [] });
  app.useGlobalFilters(new ApiErrorFilter());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('flowctl').setDescription('Durable DAG workflow orchestrator: REST API').setVersion('v1').build(),
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

  await app.listen(config.port, config.host);
  return app;
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
