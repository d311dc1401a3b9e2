import { z } from 'zod';
import { flagParam, namespaceParam, pageOf, pageQuery, Timestamp } from './common';
import { NOTIFY_EVENTS, NOTIFY_FORMATS } from './notifications';
import { Schedule } from './schedules';

export const INPUT_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array'] as const;
export type InputType = (typeof INPUT_TYPES)[number];
export const TRIGGER_RULES = ['all_success', 'all_done', 'one_success', 'one_failed', 'none_failed'] as const;
export const OVERLAP_POLICIES = ['allow', 'forbid', 'replace', 'buffer_one'] as const;

export const InputDefinition = z.strictObject({
  type: z.enum(INPUT_TYPES),
  default: z.unknown().optional(),
  required: z.boolean(),
  description: z.string().optional(),
});
export type InputDefinition = z.infer<typeof InputDefinition>;

export const RetryPolicy = z.strictObject({
  maxAttempts: z.number().int(),
  initialInterval: z.number(),
  backoffCoefficient: z.number(),
  maxInterval: z.number(),
  nonRetryable: z.array(z.string()),
});

/** A task as stored: defaults filled in, durations in milliseconds. */
export const TaskDefinition = z.strictObject({
  name: z.string(),
  type: z.string(),
  with: z.record(z.string(), z.unknown()),
  dependsOn: z.array(z.string()),
  when: z.string().optional(),
  trigger: z.enum(TRIGGER_RULES),
  forEach: z.string().optional(),
  priority: z.number().int(),
  retry: RetryPolicy,
  timeout: z.number().optional(),
  scheduleToStartTimeout: z.number().optional(),
  heartbeatTimeout: z.number().optional(),
});
export type TaskDefinition = z.infer<typeof TaskDefinition>;

export const WorkflowSpec = z.strictObject({
  inputs: z.record(z.string(), InputDefinition),
  timeout: z.number().optional(),
  concurrency: z.number().int().optional(),
  schedule: z.strictObject({ cron: z.string(), timezone: z.string(), overlap: z.enum(OVERLAP_POLICIES) }).optional(),
  tasks: z.array(TaskDefinition),
  notify: z
    .array(
      z.strictObject({
        on: z.array(z.enum(NOTIFY_EVENTS)),
        webhook: z.strictObject({ url: z.string(), secret: z.string().optional(), format: z.enum(NOTIFY_FORMATS) }),
      }),
    )
    .optional(),
});
export type WorkflowSpec = z.infer<typeof WorkflowSpec>;

/** The validated, defaults-applied `flowctl/v1` Workflow document the server stores. */
export const WorkflowDefinition = z
  .strictObject({
    apiVersion: z.literal('flowctl/v1'),
    kind: z.literal('Workflow'),
    metadata: z.strictObject({ name: z.string(), namespace: z.string(), labels: z.record(z.string(), z.string()) }),
    spec: WorkflowSpec,
  })
  .meta({ id: 'WorkflowDefinition' });
export type WorkflowDefinition = z.infer<typeof WorkflowDefinition>;

/**
 * PUT /workflows: the document as YAML text (`application/yaml`) or as a JSON object. Its content is
 * checked by the workflow validator (which names the offending path), not here.
 */
export const ApplyWorkflowBody = z
  .union([z.string(), z.record(z.string(), z.unknown())], { error: 'body must be a workflow document: a YAML or JSON mapping (object)' })
  .meta({
    description: 'A flowctl/v1 Workflow document, as YAML text (application/yaml) or JSON',
  });
export type ApplyWorkflowBody = z.infer<typeof ApplyWorkflowBody>;

export const ApplyWorkflowQuery = z.object({
  dryRun: flagParam('dryRun', 'Validate and answer what apply would, storing nothing'),
});

export const ApplyResult = z
  .strictObject({
    name: z.string(),
    namespace: z.string(),
    version: z.number().int(),
    result: z.enum(['created', 'configured', 'unchanged']),
    /** Present on a dry run: the answer apply would give; nothing was stored. */
    dryRun: z.literal(true).optional(),
  })
  .meta({ id: 'ApplyResult', example: { name: 'nightly-report', namespace: 'default', version: 2, result: 'configured' } });
export type ApplyResult = z.infer<typeof ApplyResult>;

export const WorkflowSummary = z
  .strictObject({
    name: z.string(),
    namespace: z.string(),
    version: z.number().int(),
    labels: z.record(z.string(), z.string()).nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'WorkflowSummary' });
export type WorkflowSummary = z.infer<typeof WorkflowSummary>;

export const WorkflowVersionSummary = z.strictObject({ version: z.number().int(), contentHash: z.string(), createdAt: Timestamp });
export type WorkflowVersionSummary = z.infer<typeof WorkflowVersionSummary>;

export const Workflow = z
  .strictObject({
    ...WorkflowSummary.shape,
    spec: WorkflowSpec.optional(),
    definition: WorkflowDefinition.optional(),
    source: z.string().nullable().optional(),
    versions: z.array(WorkflowVersionSummary),
    schedule: Schedule.nullable(),
  })
  .meta({ id: 'Workflow' });
export type Workflow = z.infer<typeof Workflow>;

export const WorkflowVersion = z
  .strictObject({
    name: z.string(),
    namespace: z.string(),
    version: z.number().int(),
    contentHash: z.string(),
    createdAt: Timestamp,
    definition: WorkflowDefinition,
    source: z.string().nullable(),
  })
  .meta({ id: 'WorkflowVersion' });
export type WorkflowVersion = z.infer<typeof WorkflowVersion>;

export const DeletedWorkflow = z.strictObject({ name: z.string(), namespace: z.string(), result: z.literal('deleted') });
export type DeletedWorkflow = z.infer<typeof DeletedWorkflow>;

export const WorkflowPage = pageOf(WorkflowSummary);
export const ListWorkflowsQuery = z.object({ namespace: namespaceParam, ...pageQuery() });
export const NamespaceQuery = z.object({ namespace: namespaceParam });

export const WorkflowNameParams = z.object({ name: z.string() });
export const WorkflowVersionParams = z.object({ name: z.string(), version: z.string() });
