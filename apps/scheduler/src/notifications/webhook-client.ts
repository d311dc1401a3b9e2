import { Inject, Injectable } from '@nestjs/common';
import { checkDestination, DestinationRefused, sendPinned, type DestinationPolicy, type Resolve } from '@flowctl/egress';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';

/** What a receiver answered, kept with the attempt. */
export interface WebhookAnswer {
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  /** The start of the answer's body, for the operator who reads why a receiver said no. */
  response: string | null;
  error: string | null;
  /** The destination policy refused the URL: no later attempt can go through. */
  refused: boolean;
}

/** Answers are read this far and no further: they are kept for a human to read, never parsed. */
const MAX_RESPONSE_CHARS = 512;

/**
 * POSTs a notification to a webhook under the same destination policy as the `http` task (public
 * addresses, or FLOWCTL_NOTIFY_ALLOWLIST), connecting to the address that was checked. Redirects
 * are not followed. Never throws: every way an attempt can go is an answer to keep.
 */
@Injectable()
export class WebhookClient {
  private readonly policy: DestinationPolicy;
  private readonly timeoutMs: number;
  /** Tests only: how names become addresses (default: the system resolver). */
  resolve?: Resolve;

  constructor(@Inject(SCHEDULER_CONFIG) config: SchedulerConfig) {
    this.policy = { allowlist: config.notifications.allowlist, setting: 'FLOWCTL_NOTIFY_ALLOWLIST' };
    this.timeoutMs = config.notifications.timeoutMs;
  }

  async post(target: string, body: string, headers: Record<string, string>): Promise<WebhookAnswer> {
    const startedAt = new Date();
    const answer = (fields: Partial<WebhookAnswer>): WebhookAnswer => ({
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
      statusCode: null,
      response: null,
      error: null,
      refused: false,
      ...fields,
    });
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const url = new URL(target);
      const destination = await checkDestination(url, this.policy, this.resolve);
      const response = await sendPinned(url, destination, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'flowctl-notifications', ...headers },
        body,
        signal,
      });
      return answer({ statusCode: response.statusCode ?? null, response: await readStart(response, signal) });
    } catch (error) {
      if (error instanceof DestinationRefused) return answer({ error: error.message, refused: true });
      if (signal.aborted) return answer({ error: `no answer within ${this.timeoutMs} ms` });
      const { code, message } = error as NodeJS.ErrnoException;
      return answer({ error: code ? `${code}: ${message}` : message });
    }
  }
}

async function readStart(response: AsyncIterable<Buffer> & { destroy(): void }, signal: AbortSignal): Promise<string | null> {
  let text = '';
  try {
    for await (const chunk of response) {
      text += chunk.toString('utf8');
      if (text.length >= MAX_RESPONSE_CHARS || signal.aborted) break;
    }
  } finally {
    response.destroy();
  }
  return text.length === 0 ? null : text.slice(0, MAX_RESPONSE_CHARS);
}
