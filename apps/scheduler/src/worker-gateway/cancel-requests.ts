import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { CONTROL_QUEUE, QueueTransport } from '@flowctl/queue';

const REMEMBERED = 100_000;

/**
 * The jobs the engine asked workers to abort (its `cancel` broadcast), so a
 * heartbeat can tell an HTTP worker to stop. Subscribed on first use: a
 * scheduler no HTTP worker talks to keeps no extra connection.
 */
@Injectable()
export class CancelRequests implements OnModuleDestroy {
  private readonly jobIds = new Set<string>();
  private events?: ReturnType<QueueTransport['events']>;

  constructor(private readonly transport: QueueTransport) {}

  has(jobId: string): boolean {
    this.subscribe();
    return this.jobIds.has(jobId);
  }

  subscribe(): void {
    if (this.events) return;
    this.events = this.transport.events(CONTROL_QUEUE);
    this.events.on('error' as never, (() => undefined) as never);
    this.events.on(
      'cancel' as never,
      ((event: { jobIds?: string }) => {
        for (const jobId of String(event.jobIds ?? '').split(',')) {
          if (!jobId) continue;
          if (this.jobIds.size >= REMEMBERED) this.jobIds.delete(this.jobIds.values().next().value!);
          this.jobIds.add(jobId);
        }
      }) as never,
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.events?.close().catch(() => undefined);
  }
}
