import { Inject, Injectable } from '@nestjs/common';
import { Conflict, InvalidInput, SECRET_NAME_PATTERN } from '@flowctl/core';
import { SecretRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../../config/scheduler-config';

/** Large enough for a certificate or a service account file; secrets travel in every job that reads them. */
export const MAX_SECRET_BYTES = 65_536;

/** Seals a value under the current FLOWCTL_SECRET_KEY and stores only the ciphertext. */
@Injectable()
export class SetSecretUseCase {
  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly dataSource: DataSource,
    private readonly secrets: SecretRepository,
  ) {}

  async execute(
    namespace: string,
    name: string,
    body: unknown,
  ): Promise<{ namespace: string; name: string; result: 'created' | 'updated' }> {
    const keyring = this.config.secretKeyring;
    if (!keyring)
      throw new Conflict(
        'secrets need FLOWCTL_SECRET_KEY: start the scheduler (and workers) with a 32-byte key, e.g. `openssl rand -base64 32`',
      );
    checkSecretName(name);
    // The value is never quoted back in an error: a mistyped request must not echo it into a terminal or a log.
    const value = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { value?: unknown }).value : undefined;
    if (typeof value !== 'string') throw new InvalidInput('body must be a JSON object {"value": "..."} with the value as a string');
    if (value.length === 0) throw new InvalidInput('a secret value cannot be empty');
    if (Buffer.byteLength(value) > MAX_SECRET_BYTES) throw new InvalidInput(`a secret value is at most ${MAX_SECRET_BYTES} bytes`);
    const sealed = keyring.seal(namespace, name, value);
    const created = await this.secrets.upsert(this.dataSource, {
      namespace,
      name,
      keyId: sealed.keyId,
      nonce: Buffer.from(sealed.nonce, 'base64'),
      ciphertext: Buffer.from(sealed.ciphertext, 'base64'),
    });
    return { namespace, name, result: created ? 'created' : 'updated' };
  }
}

export function checkSecretName(name: string): string {
  if (!SECRET_NAME_PATTERN.test(name))
    throw new InvalidInput(
      `invalid secret name "${name.slice(0, 130)}": use letters, digits and "_", not starting with a digit, at most 128 characters`,
    );
  return name;
}
