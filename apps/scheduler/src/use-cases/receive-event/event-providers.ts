import { EventRepository, EventStartRepository, RunEndOutboxRepository, TriggerRepository } from '@flowctl/persistence';
import { RunEndTriggers } from '../../engine/run-end-triggers';
import { EventMetrics } from '../../metrics/event-metrics';
import { ReceiveHookUseCase } from '../receive-hook/receive-hook.use-case';
import { StartEventRunsUseCase } from '../start-event-runs/start-event-runs.use-case';
import { StartRunsAfterRunUseCase } from '../start-runs-after-run/start-runs-after-run.use-case';
import { ReceiveEventUseCase } from './receive-event.use-case';
import { TriggerListeners } from './trigger-listeners';

/** Everything events in need (docs/events.md): triggers, received events, hooks, and runs started after runs. */
export const EVENT_PROVIDERS = [
  TriggerRepository,
  EventRepository,
  EventStartRepository,
  RunEndOutboxRepository,
  RunEndTriggers,
  EventMetrics,
  TriggerListeners,
  StartEventRunsUseCase,
  ReceiveEventUseCase,
  ReceiveHookUseCase,
  StartRunsAfterRunUseCase,
];
