import { z } from 'zod';
import { namespaceParam, Timestamp } from './common';

/** Names and dates only: no endpoint ever answers with a value or a ciphertext. */
export const Secret = z
  .strictObject({ name: z.string(), namespace: z.string(), keyId: z.string(), createdAt: Timestamp, updatedAt: Timestamp })
  .meta({ id: 'Secret' });
export type Secret = z.infer<typeof Secret>;

export const SecretList = z.strictObject({ items: z.array(Secret) });
export const SetSecretBody = z
  .object(
    { value: z.string({ error: 'body must be a JSON object {"value": "..."} with the value as a string' }) },
    {
      error: 'body must be a JSON object {"value": "..."} with the value as a string',
    },
  )
  .meta({ example: { value: 's3cr3t' } });
export type SetSecretBody = z.infer<typeof SetSecretBody>;
export const SetSecretResult = z.strictObject({ namespace: z.string(), name: z.string(), result: z.enum(['created', 'updated']) });
export const DeletedSecret = z.strictObject({ namespace: z.string(), name: z.string(), result: z.literal('deleted') });
export const SecretsQuery = z.object({ namespace: namespaceParam });
export const SecretNameParams = z.object({ name: z.string() });
