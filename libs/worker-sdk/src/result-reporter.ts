import { QueueTransport, type ResultMessage } from '@flowctl/queue';

/** How long a worker keeps trying to hand a report to the transport before giving up on it. */
const SEND_DEADLINE_MS = 120_000;

/**
 * Sends reports to the schedulers through the transport's results channel.
 * Sending retries through a transport outage: a lost outcome would strand the
 * task until the scheduler's recovery notices. A report sent twice is applied
 * once (the engine drops reports for attempts that are no longer current).
 */
export class ResultReporter {
  constructor(private readonly transport: QueueTransport) {}

  /** `deadlineMs` 0 means one try: for best-effort notes such as a worker's goodbye. */
  async send(message: ResultMessage, deadlineMs = SEND_DEADLINE_MS): Promise<void> {
    await this.sendMany([message], deadlineMs);
  }

  /** Several reports in one write, retried together. */
  async sendMany(messages: readonly ResultMessage[], deadlineMs = SEND_DEADLINE_MS): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    for (let delay = 200; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        if (messages.length === 1) await this.transport.results().publish(messages[0]!);
        else await this.transport.results().publishMany(messages);
        return;
      } catch (error) {
        if (Date.now() + delay > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
