import { InitialSchema1700000000000 } from './1700000000000-initial-schema';
import { ExecutionControls1700000000001 } from './1700000000001-execution-controls';
import { ApiTokensAndAuditLog1700000000002 } from './1700000000002-api-tokens-and-audit-log';
import { RetentionAndRunPageIndexes1700000000004 } from './1700000000004-retention-and-run-page-indexes';
import { RunEventNotifications1700000000005 } from './1700000000005-run-event-notifications';

/** In order; a new schema change is a new file here, never an edit of an applied one. */
export const MIGRATIONS = [
  InitialSchema1700000000000,
  ExecutionControls1700000000001,
  ApiTokensAndAuditLog1700000000002,
  RetentionAndRunPageIndexes1700000000004,
  RunEventNotifications1700000000005,
];
