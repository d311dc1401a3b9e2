/**
 * The validated, defaults-applied form of a `flowctl/v1` Workflow document.
 * Durations are milliseconds. Every optional field of the YAML that has a
 * default is filled in here, so the engine never re-derives defaults.
 */
export const API_VERSION = 'flowctl/v1';
export const KIND = 'Workflow';

export type TriggerRule = 'all_success' | 'all_done' | 'one_success' | 'one_failed' | 'none_failed';
export const TRIGGER_RULES: readonly TriggerRule[] = ['all_success', 'all_done', 'one_success', 'one_failed', 'none_failed'];

export type OverlapPolicy = 'allow' | 'forbid' | 'replace' | 'buffer_one';
export const OVERLAP_POLICIES: readonly OverlapPolicy[] = ['allow', 'forbid', 'replace', 'buffer_one'];

export type InputType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
export const INPUT_TYPES: readonly InputType[] = ['string', 'number', 'integer', 'boolean', 'object', 'array'];

export interface RetryPolicy {
  /** Total attempts including the first; 1 means no retry. */
  maxAttempts: number;
  initialInterval: number;
  backoffCoefficient: number;
  maxInterval: number;
  /** Error types (the `type` of a task failure) that are never retried. */
  nonRetryable: string[];
}

export interface InputDefinition {
  type: InputType;
  default?: unknown;
  /** True when the input has no default: a run must supply it. */
  required: boolean;
  description?: string;
}

export interface TaskDefinition {
  name: string;
  type: string;
  with: Record<string, unknown>;
  dependsOn: string[];
  /** Template like `{{ tasks.a.output.ok == true }}`; absent means always. */
  when?: string;
  trigger: TriggerRule;
  /** Template giving a list; one task instance per item. */
  forEach?: string;
  /** 1 (highest) .. 5. */
  priority: number;
  retry: RetryPolicy;
  /** Start-to-close timeout of one attempt. */
  timeout?: number;
  scheduleToStartTimeout?: number;
  heartbeatTimeout?: number;
}

export interface ScheduleDefinition {
  cron: string;
  timezone: string;
  overlap: OverlapPolicy;
}

/** What a notification is sent for: a run's end state, or one of its tasks going to the dead-letter queue. */
export type NotifyEvent = 'succeeded' | 'failed' | 'cancelled' | 'timed_out' | 'dead_letter';
export const NOTIFY_EVENTS: readonly NotifyEvent[] = ['succeeded', 'failed', 'cancelled', 'timed_out', 'dead_letter'];

/** `json` is flowctl's own body; `slack` is `{text, blocks}` as a Slack incoming webhook takes it. */
export type NotifyFormat = 'json' | 'slack';
export const NOTIFY_FORMATS: readonly NotifyFormat[] = ['json', 'slack'];

export interface WebhookDefinition {
  url: string;
  /** Name of a flowctl secret of the workflow's namespace: the body is signed with HMAC-SHA256 under its value. */
  secret?: string;
  format: NotifyFormat;
}

export interface NotifyDefinition {
  on: NotifyEvent[];
  webhook: WebhookDefinition;
}
/** How a hook's caller signs its body (see docs/events.md). */
export type HookSignature = 'github' | 'hmac-sha256' | 'timestamped';
export const HOOK_SIGNATURES: readonly HookSignature[] = ['github', 'hmac-sha256', 'timestamped'];

/** The run statuses a `workflowRun` trigger may wait for: the ends of a run. */
export type RunEndStatus = 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
export const RUN_END_STATUSES: readonly RunEndStatus[] = ['succeeded', 'failed', 'cancelled', 'timed_out'];

/** What starts a run from outside: exactly one of `event`, `hook` or `workflowRun`. */
export type TriggerSource =
  | { event: string }
  | { hook: { name: string; secret: string; signature: HookSignature } }
  | { workflowRun: { name: string; status: RunEndStatus[] } };

export type TriggerDefinition = TriggerSource & {
  /** A condition over `event` (`{{ event.data.total > 100 }}`); absent means every event of the source. */
  filter?: string;
  /** The run's inputs, each a value or a template over `event`. */
  inputs: Record<string, unknown>;
};

export interface WorkflowDefinition {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
  };
  spec: {
    inputs: Record<string, InputDefinition>;
    /** Run timeout (whole run). */
    timeout?: number;
    concurrency?: number;
    schedule?: ScheduleDefinition;
    /** Triggers (spec.on); absent when the workflow declares none. */
    on?: TriggerDefinition[];
    tasks: TaskDefinition[];
    /** Webhooks told when a run ends or a task is dead-lettered; absent when none. */
    notify?: NotifyDefinition[];
  };
}

export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_PRIORITY = 3;
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 1,
  initialInterval: 1_000,
  backoffCoefficient: 2,
  maxInterval: 100_000,
  nonRetryable: [],
};
