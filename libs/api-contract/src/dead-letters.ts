import { z } from 'zod';
import { namespaceParam, pageOf, pageQuery, TaskError, textParam, Timestamp } from './common';

export const DeadLetter = z
  .strictObject({
    id: z.string(),
    runId: z.string(),
    namespace: z.string(),
    workflow: z.string(),
    task: z.string(),
    type: z.string(),
    attempt: z.number().int(),
    error: TaskError.nullable(),
    input: z.unknown(),
    deadAt: Timestamp,
    /** Only GET /dead-letters/:id says whether (and when) the letter was requeued. */
    requeuedAt: Timestamp.nullable().optional(),
  })
  .meta({ id: 'DeadLetter' });
export type DeadLetter = z.infer<typeof DeadLetter>;

export const RequeueResult = z
  .strictObject({ id: z.string(), runId: z.string(), task: z.string(), attempt: z.number().int() })
  .meta({ id: 'RequeueResult', example: { id: '42', runId: '0190b5f0-1c2d-7000-8000-0123456789ab', task: 'send', attempt: 4 } });
export type RequeueResult = z.infer<typeof RequeueResult>;

export const DeadLetterPage = pageOf(DeadLetter);
export const ListDeadLettersQuery = z.object({
  workflow: textParam('workflow', 'Only letters of this workflow'),
  type: textParam('type', 'Only letters of this task type'),
  namespace: namespaceParam,
  ...pageQuery(),
});
export const DeadLetterIdParams = z.object({ id: z.string() });
