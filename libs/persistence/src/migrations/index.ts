import { InitialSchema1700000000000 } from './1700000000000-initial-schema';
import { ExecutionControls1700000000001 } from './1700000000001-execution-controls';
import { RetentionAndRunPageIndexes1700000000004 } from './1700000000004-retention-and-run-page-indexes';

/** In order; a new schema change is a new file here, never an edit of an applied one. */
export const MIGRATIONS = [InitialSchema1700000000000, ExecutionControls1700000000001, RetentionAndRunPageIndexes1700000000004];
