import { z } from 'zod';

/**
 * The HTTP worker protocol (/api/v1/worker): how a worker in any language takes tasks and reports
 * on them with only a URL and a token. The SDKs (TypeScript HttpTaskRunner, Python flowctl-worker)
 * and docs/worker-protocol.md speak exactly this.
 */

/** The longest a poll waits for a task, and the default: a worker with nothing to do asks twice a minute. */
export const MAX_POLL_WAIT_MS = 30_000;
export const MAX_LOG_LINES_PER_CALL = 1_000;
export const MAX_LOG_BYTES_PER_CALL = 1_048_576;
const TASK_TYPE = /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/;

export const WorkerPollBody = z
  .strictObject({
    workerId: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9._:@-]+$/, 'may hold only letters, digits and . _ : @ -'),
    types: z
      .array(z.string().max(63).regex(TASK_TYPE, 'is not a task type name'))
      .min(1)
      .max(50)
      .refine((types) => new Set(types).size === types.length, 'must not repeat a type'),
    max: z.number().int().min(1).max(100).default(1),
    waitMs: z.number().int().min(0).max(MAX_POLL_WAIT_MS).default(MAX_POLL_WAIT_MS),
    concurrency: z.number().int().min(1).max(100_000).optional(),
    host: z.string().max(255).optional(),
    version: z.string().max(128).optional(),
  })
  .meta({ id: 'WorkerPollBody', example: { workerId: 'py-worker-1', types: ['py-square'], max: 4, waitMs: 30_000, concurrency: 4 } });

export const LeasedTask = z
  .strictObject({
    leaseId: z.string().meta({ description: 'Opaque and signed: names the attempt in every later call' }),
    runId: z.string(),
    workflow: z.string(),
    namespace: z.string(),
    task: z.string(),
    type: z.string(),
    attempt: z.number().int().min(1),
    idempotencyKey: z.string().meta({ description: '`runId:taskName`, stable across attempts' }),
    input: z.unknown(),
    lastHeartbeatDetails: z.unknown(),
    heartbeatTimeoutMs: z.number().int().meta({ description: "Heartbeat more often than this (the task's heartbeatTimeout, else 30000)" }),
    deadline: z.string().nullable().meta({ description: 'When the start-to-close timeout ends the attempt (ISO), or null' }),
    traceparent: z.string().optional(),
    secrets: z
      .record(z.string(), z.string())
      .optional()
      .meta({ description: 'The values the input reads, already filled in: mask them as *** in what you send back' }),
  })
  .meta({ id: 'LeasedTask' });
export type LeasedTask = z.infer<typeof LeasedTask>;

export const WorkerPollResult = z.strictObject({ tasks: z.array(LeasedTask) }).meta({ id: 'WorkerPollResult' });

export const LeaseIdParams = z.object({ leaseId: z.string() });

export const WorkerHeartbeatBody = z.strictObject({ details: z.unknown().optional() }).meta({ id: 'WorkerHeartbeatBody' });
export const WorkerHeartbeatResult = z
  .strictObject({ cancelRequested: z.boolean() })
  .meta({ id: 'WorkerHeartbeatResult', description: 'On true, stop and report; a 409 instead means the attempt is over' });

export const WorkerCompleteBody = z
  .strictObject({ output: z.unknown().optional(), traceparent: z.string().max(128).optional() })
  .meta({ id: 'WorkerCompleteBody' });

export const WorkerFailBody = z
  .strictObject({
    error: z.strictObject({
      type: z.string().min(1).max(200),
      message: z.string().max(65_536),
      stack: z.string().max(65_536).optional(),
      nonRetryable: z.boolean().optional(),
      details: z.unknown().optional(),
    }),
    details: z.unknown().optional().meta({ description: 'The latest heartbeat details, carried to the next attempt' }),
    traceparent: z.string().max(128).optional(),
  })
  .meta({ id: 'WorkerFailBody' });

export const WorkerReported = z.strictObject({}).meta({ id: 'WorkerReported' });

/** The most outcomes one POST /worker/reports carries: a worker with more sends them in several calls. */
export const MAX_REPORTS_PER_CALL = 100;

const ReportedLease = { leaseId: z.string().min(1).max(4096) };

/** One attempt's outcome in a batch: the body of complete or fail, with the lease it is for. */
export const WorkerReport = z
  .discriminatedUnion('outcome', [
    WorkerCompleteBody.extend({ ...ReportedLease, outcome: z.literal('completed') }),
    WorkerFailBody.extend({ ...ReportedLease, outcome: z.literal('failed') }),
  ])
  .meta({ id: 'WorkerReport' });

export const WorkerReportsBody = z.strictObject({ reports: z.array(WorkerReport).min(1).max(MAX_REPORTS_PER_CALL) }).meta({
  id: 'WorkerReportsBody',
  example: { reports: [{ leaseId: '<leaseId>', outcome: 'completed', output: { squared: 9 } }] },
});

export const WorkerReportResult = z
  .strictObject({
    leaseId: z.string(),
    status: z.enum(['recorded', 'gone', 'refused']).meta({
      description:
        'recorded: taken (as a single complete or fail answering 200); gone: the attempt is no longer current or the lease is unknown (409/404: stop, do not resend); refused: the report itself is bad (400: the message says why)',
    }),
    message: z.string().optional(),
  })
  .meta({ id: 'WorkerReportResult' });
export const WorkerReportsResult = z
  .strictObject({ results: z.array(WorkerReportResult).meta({ description: 'One per report, in the order sent' }) })
  .meta({ id: 'WorkerReportsResult' });

export const WorkerLogsBody = z
  .strictObject({
    lines: z
      .array(
        z.strictObject({
          ts: z.iso.datetime({ offset: true }).optional(),
          level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
          message: z.string(),
          stream: z.enum(['log', 'stdout', 'stderr']).default('log'),
        }),
      )
      .max(MAX_LOG_LINES_PER_CALL),
  })
  .meta({ id: 'WorkerLogsBody' });
export const WorkerLogsResult = z.strictObject({ accepted: z.number().int() }).meta({ id: 'WorkerLogsResult' });

export type WorkerPollBody = z.infer<typeof WorkerPollBody>;
export type WorkerHeartbeatBody = z.infer<typeof WorkerHeartbeatBody>;
export type WorkerCompleteBody = z.infer<typeof WorkerCompleteBody>;
export type WorkerFailBody = z.infer<typeof WorkerFailBody>;
export type WorkerLogsBody = z.infer<typeof WorkerLogsBody>;
export type WorkerReport = z.infer<typeof WorkerReport>;
export type WorkerReportsBody = z.infer<typeof WorkerReportsBody>;
export type WorkerReportResult = z.infer<typeof WorkerReportResult>;
