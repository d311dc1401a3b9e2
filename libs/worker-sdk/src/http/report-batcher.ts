import type { TaskFailure } from '@flowctl/core';
import { isTransient, leasePath, messageOf, type WorkerApiClient } from './worker-api-client';

/** One attempt's outcome, as POST /worker/reports carries it. */
export type AttemptReport =
  | { leaseId: string; outcome: 'completed'; output: unknown; traceparent?: string }
  | { leaseId: string; outcome: 'failed'; error: TaskFailure; details?: unknown; traceparent?: string };

/** recorded: taken; gone: the attempt is over (stop, never resend); refused: the report itself is bad (message says why). */
export interface ReportAnswer {
  status: 'recorded' | 'gone' | 'refused' | 'undelivered';
  message?: string;
}

/** The most reports per call (the server's MAX_REPORTS_PER_CALL). */
const MAX_PER_CALL = 100;

/**
 * Group commit of outcomes: a report goes out at once when none is on its way,
 * and those that finish while a call is out go together in the next, so a busy
 * worker's reports cost a call per batch, not per task, and a lone one waits
 * for nothing. Each call is repeated through outages until the server answers
 * or `deadlineMs` passes (a lost outcome would strand the task until it times
 * out). A server without the batch route (404) is sent each report alone.
 */
export class ReportBatcher {
  private queue: { report: AttemptReport; resolve: (answer: ReportAnswer) => void }[] = [];
  private sending = false;
  private batchRoute = true;

  constructor(
    private readonly client: WorkerApiClient,
    private readonly deadlineMs: number,
  ) {}

  send(report: AttemptReport): Promise<ReportAnswer> {
    return new Promise((resolve) => {
      this.queue.push({ report, resolve });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_PER_CALL);
        const answers = await this.deliver(batch.map((entry) => entry.report));
        batch.forEach((entry, index) => entry.resolve(answers[index]!));
      }
    } finally {
      this.sending = false;
    }
  }

  private async deliver(reports: AttemptReport[]): Promise<ReportAnswer[]> {
    if (!this.batchRoute) return Promise.all(reports.map((report) => this.deliverAlone(report)));
    const answer = await this.repeat(() => this.client.post<{ results?: ReportAnswer[] }>('/reports', { reports }));
    if (answer?.status === 404) {
      this.batchRoute = false;
      return this.deliver(reports);
    }
    if (answer?.status === 200 && Array.isArray(answer.body.results)) return answer.body.results;
    // Refused as a whole (a report the schema rejects): each alone, so one bad report costs only itself.
    if (answer && reports.length > 1) return Promise.all(reports.map((report) => this.deliverAlone(report)));
    return reports.map(() => (answer ? { status: 'refused', message: messageOf(answer) } : { status: 'undelivered' }));
  }

  /** Through the per-lease routes: an older server's, and a refused batch's second chance. */
  private async deliverAlone(report: AttemptReport): Promise<ReportAnswer> {
    const { leaseId, outcome, ...body } = report;
    const answer = await this.repeat(() => this.client.post(leasePath(leaseId, outcome === 'completed' ? 'complete' : 'fail'), body));
    if (!answer) return { status: 'undelivered' };
    if (answer.status === 200) return { status: 'recorded' };
    if (answer.status === 409 || answer.status === 404) return { status: 'gone', message: messageOf(answer) };
    return { status: 'refused', message: messageOf(answer) };
  }

  /** The server's answer other than a transient one, or undefined once the deadline passed. */
  private async repeat<T>(call: () => Promise<{ status: number; body: T }>): Promise<{ status: number; body: T } | undefined> {
    const giveUpAt = Date.now() + this.deadlineMs;
    for (let delay = 200; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        const answer = await call();
        if (!isTransient(answer.status)) return answer;
      } catch {
        // network trouble: try again below
      }
      if (Date.now() + delay > giveUpAt) return undefined;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
