import { AuditController } from './audit.controller';
import { ClusterController } from './cluster.controller';
import { DeadLettersController } from './dead-letters.controller';
import { EventsController } from './events.controller';
import { HealthController } from './health.controller';
import { InsightsController } from './insights.controller';
import { QueuesController } from './queues.controller';
import { RunNotificationsController } from './run-notifications.controller';
import { RunStreamController } from './run-stream.controller';
import { RunTasksController } from './run-tasks.controller';
import { RunsController } from './runs.controller';
import { SchedulesController } from './schedules.controller';
import { SecretsController } from './secrets.controller';
import { TaskLogsController } from './task-logs.controller';
import { TokensController } from './tokens.controller';
import { WorkflowsController } from './workflows.controller';
import { WorkerGatewayController } from '../worker-gateway/worker-gateway.controller';

/** Every controller of the REST API; each handler serves one route of the contract (api-controllers.spec checks). */
export const API_CONTROLLERS = [
  WorkflowsController,
  RunsController,
  DeadLettersController,
  ClusterController,
  HealthController,
  SchedulesController,
  RunStreamController,
  RunTasksController,
  QueuesController,
  TokensController,
  AuditController,
  SecretsController,
  WorkerGatewayController,
  InsightsController,
  TaskLogsController,
  RunNotificationsController,
  EventsController,
];
