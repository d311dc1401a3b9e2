import { z } from 'zod';
import { pageOf, pageQuery, Timestamp } from './common';

/** One change made through the API. */
export const AuditEntry = z
  .strictObject({
    id: z.string(),
    at: Timestamp,
    /** Token name or JWT subject: who did it. */
    actor: z.string(),
    tokenId: z.string().nullable(),
    /** `workflow.apply`, `run.cancel`, `token.create`, ... */
    action: z.string(),
    target: z.string().nullable(),
    namespace: z.string().nullable(),
    outcome: z.enum(['succeeded', 'denied', 'failed']),
    statusCode: z.number().int(),
    message: z.string().nullable(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditPage = pageOf(AuditEntry);
export const ListAuditQuery = z.object(pageQuery(100, 500));
