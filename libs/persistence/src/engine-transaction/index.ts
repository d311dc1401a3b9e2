export { PendingWrites } from './pending-writes';
export { GroupCommit, GroupMayHaveCommitted, type CommandOutcome, type GroupCommitOptions } from './group-commit';
