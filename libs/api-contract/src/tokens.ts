import { z } from 'zod';
import { pageOf, pageQuery, Timestamp } from './common';

/** The ranked roles, then `worker` (may only take and report tasks: the HTTP worker protocol) and `emitter` (may only send events and hooks). */
export const ROLES = ['viewer', 'operator', 'admin', 'worker', 'emitter'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** An API token as listed: never the token itself nor its hash. */
export const ApiToken = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    role: Role,
    /** `["*"]`: every namespace. */
    namespaces: z.array(z.string()),
    createdBy: z.string(),
    createdAt: Timestamp,
    expiresAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
    lastUsedAt: Timestamp.nullable(),
  })
  .meta({ id: 'ApiToken' });
export type ApiToken = z.infer<typeof ApiToken>;

/** The answer to POST /tokens: the only time the secret is shown. */
export const CreatedApiToken = z.strictObject({ ...ApiToken.shape, token: z.string() }).meta({ id: 'CreatedApiToken' });
export type CreatedApiToken = z.infer<typeof CreatedApiToken>;

export const CreateTokenBody = z
  .strictObject(
    {
      role: z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')}` }),
      /** Namespace names (a list, or a comma-separated string), or `*` (the default): every namespace. */
      namespaces: z
        .union([z.string(), z.array(z.string())], { error: 'namespaces must be a list of namespace names, or "*"' })
        .nullable()
        .optional(),
      name: z.string({ error: 'name must be 1-63 letters, digits, spaces or ._@:-' }).optional(),
      /** A duration such as `30d`, at most 3650d. */
      expiresIn: z.union([z.string(), z.number()], { error: 'expiresIn must be a duration such as 30d, at most 3650d' }).optional(),
    },
    { error: 'body must be a JSON object {role, namespaces?, name?, expiresIn?}' },
  )
  .meta({ example: { role: 'operator', namespaces: ['team-a'], name: 'ci', expiresIn: '90d' } });
export type CreateTokenBody = z.input<typeof CreateTokenBody>;

export const TokenPage = pageOf(ApiToken);
export const ListTokensQuery = z.object(pageQuery(100, 500));
export const TokenIdParams = z.object({ id: z.string() });
