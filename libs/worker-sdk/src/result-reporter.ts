import { QueueTransport, RESULTS_QUEUE, resultJobId, type ResultMessage } from '@flowctl/queue';

/** The scheduler retries applying a report this many times before it gives up on it. */
const APPLY_ATTEMPTS = 20;
/** How long a worker keeps trying to hand a report to the transport before giving up on it. */
const SEND_DEADLINE_MS = 120_000;

/**
 * Sends reports to the results queue. Start and outcome reports carry a
 * deterministic job id, so a worker that sends one twice adds it once.
 * Sending retries through a transport outage: a lost outcome would strand
 * the task until the scheduler's recovery notices.
 */
export class ResultReporter {
  constructor(private readonly transport: QueueTransport) {}

  /** `deadlineMs` 0 means one try: for best-effort notes such as a worker's goodbye. */
  async send(message: ResultMessage, deadlineMs = SEND_DEADLINE_MS): Promise<void> {
    const jobId =
      message.kind === 'started' || message.kind === 'succeeded' || message.kind === 'failed'
        ? resultJobId(message.kind, message.taskRunId, message.attempt)
        : undefined;
    const deadline = Date.now() + deadlineMs;
    for (let delay = 200; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        await this.transport.queue(RESULTS_QUEUE).add(message.kind, message, {
          jobId,
          attempts: APPLY_ATTEMPTS,
          backoff: { type: 'exponential', delay: 500 },
          removeOnComplete: true,
          removeOnFail: { count: 10_000 },
        });
        return;
      } catch (error) {
        if (Date.now() + delay > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
