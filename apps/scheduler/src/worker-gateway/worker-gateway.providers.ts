import { ClusterKeyRepository } from '@flowctl/persistence';
import { AttemptReporter } from './attempt-reporter';
import { CancelRequests } from './cancel-requests';
import { LeaseKey } from './lease-key';
import { LeaseReports } from './lease-reports';
import { TaskLeaser } from './task-leaser';
import { WorkerPresence } from './worker-presence';

/** What the scheduler's module adds for the HTTP worker protocol (its controller is one of API_CONTROLLERS). */
export const WORKER_GATEWAY_PROVIDERS = [
  ClusterKeyRepository,
  LeaseKey,
  WorkerPresence,
  CancelRequests,
  AttemptReporter,
  TaskLeaser,
  LeaseReports,
];
