import { fillSecretSlots } from '@flowctl/core';
import { SecretUnreadable, type SecretKeyring, type TaskJob } from '@flowctl/queue';
import { NO_SECRETS, SecretMasker } from '@flowctl/worker-sdk';

/** A secret the task reads is not set in its namespace: setting it (then retrying the run) is the fix, not another attempt. */
export class SecretNotFound extends Error {
  override name = 'SecretNotFound';
  readonly nonRetryable = true;
}

/** The attempt's secret values, by name, opened with the scheduler's key. Throws (never retryable) when one cannot be. */
export function openSecrets(job: TaskJob, keyring: SecretKeyring | undefined): Map<string, string> {
  const opened = new Map<string, string>();
  if (!job.secretSlots?.length) return opened;
  for (const [name, sealed] of Object.entries(job.secrets ?? {})) {
    if (sealed === null) throw new SecretNotFound(`secret ${name} is not set in namespace ${job.namespace}`);
    if (!keyring)
      throw Object.assign(new SecretUnreadable(`secret ${name} cannot be opened: the scheduler has no FLOWCTL_SECRET_KEY`), {
        nonRetryable: true,
      });
    try {
      opened.set(name, keyring.open(job.namespace, name, sealed));
    } catch (error) {
      throw Object.assign(error as Error, { nonRetryable: true });
    }
  }
  return opened;
}

/** The input an HTTP worker receives: secrets filled in, as a native worker fills them. */
export function inputWithSecrets(job: TaskJob, opened: ReadonlyMap<string, string>): unknown {
  return opened.size > 0 ? fillSecretSlots(job.input, job.secretSlots!, opened) : job.input;
}

const MAX_CACHED = 10_000;

/**
 * The maskers of attempts this scheduler leased, so reports are masked without
 * reading the job again; any scheduler can rebuild one from the job.
 */
export class MaskerCache {
  private readonly maskers = new Map<string, SecretMasker>();

  remember(jobId: string, opened: ReadonlyMap<string, string>): void {
    if (opened.size === 0) return;
    if (this.maskers.size >= MAX_CACHED) this.maskers.delete(this.maskers.keys().next().value!);
    this.maskers.set(jobId, new SecretMasker(opened.values()));
  }

  get(jobId: string): SecretMasker | undefined {
    return this.maskers.get(jobId);
  }

  forget(jobId: string): void {
    this.maskers.delete(jobId);
  }
}

export { NO_SECRETS, SecretMasker };
