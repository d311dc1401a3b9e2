import { ClusterKeyRepository } from '@flowctl/persistence';
import { AttemptReporter } from './attempt-reporter';
import { CancelRequests } from './cancel-requests';
import { LeaseKey } from './lease-key';
import { LeaseReports } from './lease-reports';
import { TaskLeaser } from './task-leaser';
import { WorkerGatewayController } from './worker-gateway.controller';
import { WorkerPresence } from './worker-presence';

/** What the scheduler's module adds for the HTTP worker protocol. */
export const WORKER_GATEWAY_CONTROLLERS = [WorkerGatewayController];
export const WORKER_GATEWAY_PROVIDERS = [
  ClusterKeyRepository,
  LeaseKey,
  WorkerPresence,
  CancelRequests,
  AttemptReporter,
  TaskLeaser,
  LeaseReports,
];
