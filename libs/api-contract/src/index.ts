/**
 * The REST API's one contract: zod schemas for every request and answer, the route table that the
 * server, the OpenAPI document and the typed client all read, and the client. No server code here:
 * the dashboard bundles this, and it is packed as the client package.
 */
export * from './common';
export * from './workflows';
export * from './schedules';
export * from './runs';
export * from './notifications';
export * from './streams';
export * from './dead-letters';
export * from './cluster';
export * from './secrets';
export * from './tokens';
export * from './audit';
export * from './health';
export * from './worker-protocol';
export * from './insights';
export * from './task-logs';
export * from './events';
export * from './route';
export * from './routes';
export * from './client';
export * from './openapi';
