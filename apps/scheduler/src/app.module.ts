import { Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import {
  ApiTokenRepository,
  AuditLogRepository,
  ClusterRepository,
  createDataSource,
  DeadLetterRepository,
  NotificationDeliveryRepository,
  InsightsRepository,
  InsightsRollupRepository,
  MetricsRepository,
  migrate,
  RunEventRepository,
  RunRepository,
  ScheduleRepository,
  SecretRepository,
  TaskLogRepository,
  TaskRunRepository,
  TaskRunViewRepository,
  TaskRunTimerRepository,
  FanOutInstanceRepository,
  WorkflowRepository,
} from '@flowctl/persistence';
import { stopTracing } from '@flowctl/observability';
import { QueueTransport } from '@flowctl/queue';
import { DataSource } from 'typeorm';
import { API_CONTROLLERS } from './api/api-controllers';
import { PromisedRuns } from './api/promised-runs';
import { RunChangeFeed } from './api/run-change-feed';
import { AuditInterceptor } from './auth/audit.interceptor';
import { AuditRecorder } from './auth/audit-recorder';
import { AuthGuard } from './auth/auth.guard';
import { VerifiedBearers } from './http/verified-bearers';
import { Authenticator } from './auth/authenticator';
import { SCHEDULER_CONFIG, type SchedulerConfig } from './config/scheduler-config';
import { LeaderLease } from './duties/leader-lease';
import { ReconcileQueueDuty } from './duties/reconcile-queue.duty';
import { LEADER_TIMERS, type LeaderTimer } from './duties/timers/leader-timer';
import { CronTimer } from './duties/timers/cron.timer';
import { InsightsRollupTimer } from './duties/timers/insights-rollup.timer';
import { NotificationTimer } from './duties/timers/notification.timer';
import { EventStartsTimer } from './duties/timers/event-starts.timer';
import { RetentionTimer } from './duties/timers/retention.timer';
import { RetryTimer } from './duties/timers/retry.timer';
import { RunDeadlineTimer } from './duties/timers/run-deadline.timer';
import { TaskTimeoutTimer } from './duties/timers/task-timeout.timer';
import { TimerDuty } from './duties/timers/timer.duty';
import { TypeConcurrencyDuty } from './duties/type-concurrency.duty';
import { WorkerLivenessDuty } from './duties/worker-liveness.duty';
import { ChildRuns } from './engine/child-runs';
import { ConcurrencyGate } from './engine/concurrency-gate';
import { RunCreator } from './engine/run-creator';
import { FanOut } from './engine/fan-out';
import { RunAdvancer } from './engine/run-advancer';
import { RunNotifications } from './engine/run-notifications';
import { RunLocker } from './engine/run-locker';
import { RunReopener } from './engine/run-reopener';
import { TaskDispatcher } from './engine/task-dispatcher';
import { TransactionRunner } from './engine/transaction-runner';
import { WorkflowCatalog } from './engine/workflow-catalog';
import { EngineMetrics } from './metrics/engine-metrics';
import { MetricsRegistry } from './metrics/metrics-registry';
import { NotificationMetrics } from './metrics/notification-metrics';
import { WebhookClient } from './notifications/webhook-client';
import { SendNotificationsUseCase } from './use-cases/send-notifications/send-notifications.use-case';
import { StateGauges } from './metrics/state-gauges';
import { ResultsConsumer } from './results/results-consumer';
import { RedisSettingsCheck } from './startup/redis-settings-check';
import { ShutdownState } from './startup/shutdown-state';
import { BackfillScheduleUseCase } from './use-cases/backfill-schedule/backfill-schedule.use-case';
import { ApplyWorkflowUseCase } from './use-cases/apply-workflow/apply-workflow.use-case';
import { CancelRunUseCase } from './use-cases/cancel-run/cancel-run.use-case';
import { DecideApprovalUseCase } from './use-cases/decide-approval/decide-approval.use-case';
import { TaskLogFeed } from './api/task-log-feed';
import { StoreTaskLogsUseCase } from './use-cases/store-task-logs/store-task-logs.use-case';
import { ApplyAttemptsUseCase } from './use-cases/apply-attempts/apply-attempts.use-case';
import { RecordResultsUseCase } from './use-cases/record-results/record-results.use-case';
import { ReadInsightsUseCase } from './use-cases/read-insights/read-insights.use-case';
import { PruneFinishedRunsUseCase } from './use-cases/prune-finished-runs/prune-finished-runs.use-case';
import { ReleaseDueRetriesUseCase } from './use-cases/release-due-retries/release-due-retries.use-case';
import { RequeueDeadLetterUseCase } from './use-cases/requeue-dead-letter/requeue-dead-letter.use-case';
import { RetryRunUseCase } from './use-cases/retry-run/retry-run.use-case';
import { SetSecretUseCase } from './use-cases/set-secret/set-secret.use-case';
import { StartRunUseCase } from './use-cases/start-run/start-run.use-case';
import { WORKER_GATEWAY_PROVIDERS } from './worker-gateway/worker-gateway.providers';
import { EVENT_PROVIDERS } from './use-cases/receive-event/event-providers';

/** Closes the outside connections last, after every duty and consumer has stopped using them. */
@Injectable()
class ConnectionsLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transport: QueueTransport,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.transport.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await stopTracing(); // exports the spans of the last requests and results
  }
}

@Module({})
export class SchedulerModule {
  static forConfig(config: SchedulerConfig): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [ScheduleModule.forRoot()],
      controllers: API_CONTROLLERS,
      providers: [
        { provide: SCHEDULER_CONFIG, useValue: config },
        {
          provide: DataSource,
          inject: [SCHEDULER_CONFIG],
          useFactory: async (cfg: SchedulerConfig) => {
            const dataSource = createDataSource({ url: cfg.databaseUrl, poolSize: cfg.databasePoolSize });
            await dataSource.initialize();
            await migrate(dataSource);
            return dataSource;
          },
        },
        {
          provide: QueueTransport,
          inject: [SCHEDULER_CONFIG],
          useFactory: (cfg: SchedulerConfig) =>
            new QueueTransport({ redisUrl: cfg.redisUrl, postgresUrl: cfg.databaseUrl, prefix: cfg.queuePrefix }),
        },
        ConnectionsLifecycle,
        WorkflowRepository,
        RunRepository,
        TaskRunRepository,
        TaskRunViewRepository,
        TaskRunTimerRepository,
        FanOutInstanceRepository,
        RunEventRepository,
        DeadLetterRepository,
        NotificationDeliveryRepository,
        InsightsRepository,
        InsightsRollupRepository,
        ClusterRepository,
        ScheduleRepository,
        ApiTokenRepository,
        AuditLogRepository,
        Authenticator,
        AuditRecorder,
        // Shared by the guard, which fills it, and the rate limiter in main.ts, which reads it.
        { provide: VerifiedBearers, useValue: new VerifiedBearers() },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
        SecretRepository,
        TransactionRunner,
        WorkflowCatalog,
        RunLocker,
        FanOut,
        ConcurrencyGate,
        RunCreator,
        ChildRuns,
        RunAdvancer,
        RunNotifications,
        RunReopener,
        TaskDispatcher,
        ApplyWorkflowUseCase,
        StartRunUseCase,
        SetSecretUseCase,
        ApplyAttemptsUseCase,
        RecordResultsUseCase,
        StoreTaskLogsUseCase,
        TaskLogFeed,
        TaskLogRepository,
        CancelRunUseCase,
        RetryRunUseCase,
        RequeueDeadLetterUseCase,
        ReleaseDueRetriesUseCase,
        DecideApprovalUseCase,
        BackfillScheduleUseCase,
        ReadInsightsUseCase,
        LeaderLease,
        RetryTimer,
        TaskTimeoutTimer,
        RunDeadlineTimer,
        CronTimer,
        WorkerLivenessDuty,
        PruneFinishedRunsUseCase,
        RetentionTimer,
        InsightsRollupTimer,
        WebhookClient,
        NotificationMetrics,
        SendNotificationsUseCase,
        NotificationTimer,
        EventStartsTimer,
        {
          provide: LEADER_TIMERS,
          inject: [
            RetryTimer,
            TaskTimeoutTimer,
            RunDeadlineTimer,
            CronTimer,
            WorkerLivenessDuty,
            RetentionTimer,
            InsightsRollupTimer,
            NotificationTimer,
            EventStartsTimer,
          ],
          useFactory: (...timers: LeaderTimer[]) => timers,
        },
        TimerDuty,
        ReconcileQueueDuty,
        TypeConcurrencyDuty,
        ResultsConsumer,
        RunChangeFeed,
        PromisedRuns,
        RedisSettingsCheck,
        ShutdownState,
        MetricsRepository,
        MetricsRegistry,
        EngineMetrics,
        StateGauges,
        ...WORKER_GATEWAY_PROVIDERS,
        ...EVENT_PROVIDERS,
      ],
    };
  }
}
