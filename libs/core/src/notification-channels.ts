/**
 * The PostgreSQL LISTEN/NOTIFY channels flowctl's processes agree on: names only (the listening and the
 * notifying are done by libs/persistence, libs/queue and the scheduler). Here, in the one lib all of
 * them import, so a channel is never spelt twice. Each is a plain lower-case identifier: `LISTEN` takes
 * it unquoted.
 */

/** A retry, timeout, deadline, schedule or worker changed: the leader's timer duty looks again. No payload. */
export const TIMERS_CHANNEL = 'flowctl_timers';

/**
 * Every insert into run_events notifies this channel once per run it touched, with the run id: a trigger
 * does it (migration 1700000000005, which, being history, spells the name itself).
 */
export const RUN_EVENTS_CHANNEL = 'flowctl_run_events';

/** Every stored batch of log lines notifies this channel with the ids of the task runs it wrote to, comma-separated. */
export const TASK_LOGS_CHANNEL = 'flowctl_task_logs';

/** Reports a worker stored in PostgreSQL (no Redis): one channel for every installation, the payload names the schema. */
export const RESULTS_CHANNEL = 'flowctl_results';

/** A run ended that some workflow's `workflowRun` trigger waits for: its outbox row is ready to drain. No payload. */
export const RUN_ENDS_CHANNEL = 'flowctl_run_ends';

/**
 * A workflow was applied, deleted or restored: a trigger on `workflows` notifies with its namespace
 * (migration 1700000000017), so every scheduler drops what it cached about that namespace's triggers.
 */
export const WORKFLOWS_CHANNEL = 'flowctl_workflows';

/** An API token was revoked, changed or deleted: a trigger on `api_tokens` notifies with its id (migration 1700000000017). */
export const TOKENS_CHANNEL = 'flowctl_tokens';
