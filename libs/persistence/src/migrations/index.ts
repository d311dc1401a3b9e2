import { InitialSchema1700000000000 } from './1700000000000-initial-schema';
import { ExecutionControls1700000000001 } from './1700000000001-execution-controls';
import { ApiTokensAndAuditLog1700000000002 } from './1700000000002-api-tokens-and-audit-log';
import { Secrets1700000000003 } from './1700000000003-secrets';
import { RetentionAndRunPageIndexes1700000000004 } from './1700000000004-retention-and-run-page-indexes';
import { RunEventNotifications1700000000005 } from './1700000000005-run-event-notifications';
import { RunTaskPages1700000000006 } from './1700000000006-run-task-pages';
import { RunStreamReads1700000000007 } from './1700000000007-run-stream-reads';
import { RetryTraceContext1700000000008 } from './1700000000008-retry-trace-context';
import { WorkerProtocol1700000000009 } from './1700000000009-worker-protocol';
import { InsightsIndexes1700000000010 } from './1700000000010-insights-indexes';
import { InsightsRollup1700000000011 } from './1700000000011-insights-rollup';
import { TaskLogs1700000000012 } from './1700000000012-task-logs';
import { Events1700000000013 } from './1700000000013-events';
import { NotificationDeliveries1700000000014 } from './1700000000014-notification-deliveries';
import { InsightsDailyHistograms1700000000015 } from './1700000000015-insights-daily-histograms';
import { EventStarts1700000000016 } from './1700000000016-event-starts';
import { ChangeNotifications1700000000017 } from './1700000000017-change-notifications';
import { TaskLogChunks1700000000018 } from './1700000000018-task-log-chunks';

/** In order; a new schema change is a new file here, never an edit of an applied one. */
export const MIGRATIONS = [
  InitialSchema1700000000000,
  ExecutionControls1700000000001,
  ApiTokensAndAuditLog1700000000002,
  Secrets1700000000003,
  RetentionAndRunPageIndexes1700000000004,
  RunEventNotifications1700000000005,
  RunTaskPages1700000000006,
  RunStreamReads1700000000007,
  RetryTraceContext1700000000008,
  WorkerProtocol1700000000009,
  InsightsIndexes1700000000010,
  InsightsRollup1700000000011,
  TaskLogs1700000000012,
  Events1700000000013,
  NotificationDeliveries1700000000014,
  InsightsDailyHistograms1700000000015,
  EventStarts1700000000016,
  ChangeNotifications1700000000017,
  TaskLogChunks1700000000018,
];
