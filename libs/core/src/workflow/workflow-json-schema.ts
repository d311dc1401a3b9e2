import { CRON_MACROS } from './cron-expression';
import { MAX_DURATION_MS } from './document-fields';
import { INPUT_NAME_PATTERN, LABEL_KEY_PATTERN, MAX_LABEL_VALUE_LENGTH, NAME_PATTERN, TASK_TYPE_PATTERN } from './names';
import { INPUT_FIELDS } from './validate-inputs';
import { MAX_NOTIFY_ENTRIES, MAX_WEBHOOK_URL_LENGTH, NOTIFY_FIELDS, WEBHOOK_FIELDS } from './validate-notify';
import { MAX_ATTEMPTS, RETRY_FIELDS } from './validate-retry';
import { SCHEDULE_FIELDS } from './validate-schedule';
import { SECRET_NAME_PATTERN } from './validate-templates';
import { EVENT_NAME_PATTERN, HOOK_FIELDS, MAX_TRIGGERS, TRIGGER_FIELDS, WORKFLOW_RUN_FIELDS } from './validate-triggers';
import { MAX_PRIORITY, MIN_PRIORITY, TASK_FIELDS } from './validate-tasks';
import { DEFAULTS_FIELDS, METADATA_FIELDS, SPEC_FIELDS, TOP_FIELDS } from './validate-workflow';
import { WORKFLOW_LIMITS } from './workflow-limits';
import {
  API_VERSION,
  DEFAULT_NAMESPACE,
  DEFAULT_PRIORITY,
  HOOK_SIGNATURES,
  INPUT_TYPES,
  RUN_END_STATUSES,
  KIND,
  NOTIFY_EVENTS,
  NOTIFY_FORMATS,
  OVERLAP_POLICIES,
  TRIGGER_RULES,
} from './workflow-definition';

type Schema = Record<string, unknown>;

/**
 * An object whose properties are exactly the fields the validator reads: the
 * record type makes each field list need one schema per field and no more, so
 * a field added to the validator without its schema does not compile.
 */
function objectOf<const F extends readonly string[]>(
  fields: F,
  properties: { [K in F[number]]: Schema },
  extra: { required?: F[number][]; description?: string } = {},
): Schema {
  return {
    type: 'object',
    ...(extra.description ? { description: extra.description } : {}),
    properties: Object.fromEntries(fields.map((name) => [name, properties[name as F[number]]])),
    ...(extra.required?.length ? { required: extra.required } : {}),
    additionalProperties: false,
  };
}

const patternOf = (pattern: RegExp) => pattern.source;

const name = (description: string): Schema => ({
  type: 'string',
  pattern: patternOf(NAME_PATTERN),
  maxLength: WORKFLOW_LIMITS.maxNameLength,
  description: `${description}: lowercase letters, digits and -, starting and ending with a letter or digit`,
});

const DURATION: Schema = {
  description: `500ms, 10s, 5m, 1h, 1d, or a number of milliseconds; more than 0 and at most 365d`,
  oneOf: [
    { type: 'string', pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h|d)|\\d+)$' },
    { type: 'integer', exclusiveMinimum: 0, maximum: MAX_DURATION_MS },
  ],
};

const EXPRESSION: Schema = { type: 'string', maxLength: WORKFLOW_LIMITS.maxExpressionLength, description: 'a {{ expression }}' };

const RETRY = objectOf(
  RETRY_FIELDS,
  {
    maxAttempts: { type: 'integer', minimum: 1, maximum: MAX_ATTEMPTS, description: 'attempts in all, the first included' },
    initialInterval: { ...DURATION, description: 'wait before the second attempt' },
    backoffCoefficient: { type: 'number', minimum: 1, description: 'each wait is this many times the one before' },
    maxInterval: { ...DURATION, description: 'the longest wait between attempts' },
    nonRetryable: { type: 'array', items: { type: 'string' }, description: 'error types that fail the task at once' },
  },
  { description: 'how a failed attempt is retried' },
);

const TASK = objectOf(
  TASK_FIELDS,
  {
    name: name('the task name, unique in the workflow'),
    type: {
      type: 'string',
      pattern: patternOf(TASK_TYPE_PATTERN),
      description: 'selects the queue (and so the workers): noop, sleep, fail, shell, http, approval, workflow, or your own',
    },
    with: { description: 'the task input; values may use {{ inputs.X }}, {{ tasks.NAME.output.PATH }}, {{ run.id }}, {{ item }}' },
    dependsOn: { type: 'array', items: name('a task this one runs after'), uniqueItems: true },
    when: { ...EXPRESSION, description: 'run only when this {{ condition }} is true; otherwise skipped' },
    trigger: { enum: [...TRIGGER_RULES], default: 'all_success', description: 'what the upstream tasks must have done' },
    forEach: { ...EXPRESSION, description: 'an expression giving a list: one task instance per item' },
    priority: { type: 'integer', minimum: MIN_PRIORITY, maximum: MAX_PRIORITY, default: DEFAULT_PRIORITY, description: '1 highest' },
    retry: RETRY,
    timeout: { ...DURATION, description: 'start-to-close timeout of an attempt' },
    scheduleToStartTimeout: { ...DURATION, description: 'how long an attempt may wait in the queue' },
    heartbeatTimeout: { ...DURATION, description: 'an attempt silent this long fails' },
  },
  { required: ['name', 'type'] },
);

const NOTIFY = objectOf(
  NOTIFY_FIELDS,
  {
    on: {
      type: 'array',
      minItems: 1,
      items: { enum: [...NOTIFY_EVENTS] },
      description: 'run end states to tell of, and dead_letter (a task of the run went to the dead-letter queue)',
    },
    webhook: objectOf(
      WEBHOOK_FIELDS,
      {
        url: { type: 'string', pattern: '^https?://', maxLength: MAX_WEBHOOK_URL_LENGTH, description: 'where the POST goes' },
        secret: {
          type: 'string',
          pattern: patternOf(SECRET_NAME_PATTERN),
          description: 'a flowctl secret: the body is signed with HMAC-SHA256',
        },
        format: { enum: [...NOTIFY_FORMATS], default: 'json', description: "json (flowctl's body) or slack ({text, blocks})" },
      },
      { required: ['url'] },
    ),
  },
  { required: ['on', 'webhook'] },
);
const TRIGGER = {
  ...objectOf(
    TRIGGER_FIELDS,
    {
      event: { type: 'string', pattern: patternOf(EVENT_NAME_PATTERN), description: 'start a run for each event of this name' },
      hook: objectOf(
        HOOK_FIELDS,
        {
          name: name('the hook: POST /api/v1/hooks/NAME'),
          secret: { type: 'string', description: 'the flowctl secret the caller signs with' },
          signature: { enum: [...HOOK_SIGNATURES], description: 'how the body is signed' },
        },
        { required: ['name', 'secret', 'signature'], description: 'start a run for each signed call of a webhook' },
      ),
      workflowRun: objectOf(
        WORKFLOW_RUN_FIELDS,
        {
          name: name('the workflow whose runs start this one'),
          status: { type: 'array', items: { enum: [...RUN_END_STATUSES] }, minItems: 1, default: ['succeeded'] },
        },
        { required: ['name'], description: 'start a run when a run of another workflow ends so' },
      ),
      filter: { ...EXPRESSION, description: 'start a run only when this {{ condition }} over event is true' },
      inputs: { type: 'object', description: 'the run inputs: values, or templates over {{ event.data.X }}' },
    },
    { description: 'one source of runs: exactly one of event, hook, workflowRun' },
  ),
  oneOf: (['event', 'hook', 'workflowRun'] as const).map((source) => ({ properties: { [source]: {} }, required: [source] })),
};

/** The task's own property schemas, reused by `spec.defaults`. */
const TASK_PROPERTIES = (TASK as { properties: Record<(typeof TASK_FIELDS)[number], Schema> }).properties;

/**
 * The JSON Schema (draft-07, what editors' YAML language servers read) of a
 * flowctl/v1 workflow, built from the same field lists, patterns and limits
 * the validator uses. It checks shape only: the validator also checks what a
 * schema cannot say (cycles, unknown dependencies, expressions), so apply (or
 * `flowctl lint`) stays the final word.
 */
export function workflowJsonSchema(): Schema {
  const top = objectOf(
    TOP_FIELDS,
    {
      apiVersion: { const: API_VERSION },
      kind: { const: KIND },
      metadata: objectOf(
        METADATA_FIELDS,
        {
          name: name('the workflow name'),
          namespace: { ...name('the namespace'), default: DEFAULT_NAMESPACE },
          labels: {
            type: 'object',
            propertyNames: { pattern: patternOf(LABEL_KEY_PATTERN), maxLength: WORKFLOW_LIMITS.maxNameLength },
            additionalProperties: { type: 'string', maxLength: MAX_LABEL_VALUE_LENGTH },
          },
        },
        { required: ['name'] },
      ),
      spec: objectOf(
        SPEC_FIELDS,
        {
          inputs: {
            type: 'object',
            description: 'run inputs, each with a type and an optional default (without one it is required)',
            propertyNames: { pattern: patternOf(INPUT_NAME_PATTERN) },
            additionalProperties: objectOf(
              INPUT_FIELDS,
              { type: { enum: [...INPUT_TYPES] }, default: {}, description: { type: 'string' } },
              { required: ['type'] },
            ),
          },
          defaults: objectOf(
            DEFAULTS_FIELDS,
            {
              retry: RETRY,
              timeout: TASK_PROPERTIES.timeout,
              heartbeatTimeout: TASK_PROPERTIES.heartbeatTimeout,
              scheduleToStartTimeout: TASK_PROPERTIES.scheduleToStartTimeout,
              priority: TASK_PROPERTIES.priority,
            },
            { description: 'what every task has unless it says otherwise' },
          ),
          timeout: { ...DURATION, description: 'the whole run: past it the run ends timed_out' },
          concurrency: { type: 'integer', minimum: 1, description: 'runs of this workflow in flight at most; more wait pending' },
          schedule: objectOf(
            SCHEDULE_FIELDS,
            {
              cron: { type: 'string', description: `5 fields (6 with seconds first), or ${CRON_MACROS.join(', ')}` },
              timezone: { type: 'string', default: 'UTC', description: 'an IANA time zone such as Europe/Berlin' },
              overlap: { enum: [...OVERLAP_POLICIES], default: 'forbid' },
            },
            { required: ['cron'] },
          ),
          on: { type: 'array', maxItems: MAX_TRIGGERS, items: TRIGGER, description: 'what starts runs besides the API and the schedule' },
          tasks: { type: 'array', minItems: 1, maxItems: WORKFLOW_LIMITS.maxTasks, items: TASK },
          notify: {
            type: 'array',
            maxItems: MAX_NOTIFY_ENTRIES,
            items: NOTIFY,
            description: 'webhooks told when a run ends or one of its tasks is dead-lettered',
          },
        },
        { required: ['tasks'] },
      ),
    },
    { required: ['apiVersion', 'kind', 'metadata', 'spec'] },
  );
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'flowctl workflow (flowctl/v1)',
    ...top,
  };
}
