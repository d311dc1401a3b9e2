import { Client } from 'pg';

/**
 * LISTEN on a dedicated connection (a pooled one would be handed to someone
 * else). Reconnects with backoff; `onReconnect` lets the caller catch up on
 * anything notified while it was away.
 */
export class NotificationListener {
  private client?: Client;
  private stopped = false;
  private retryMs = 250;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onNotify: (payload: string) => void,
    private readonly onReconnect: () => void = () => onNotify(''),
    /** Whether notifications are heard right now: a caller that caches on them must not while they are not. */
    private readonly onListening: (listening: boolean) => void = () => undefined,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.url, application_name: 'flowctl-listener' });
    client.on('notification', (message) => this.onNotify(message.payload ?? ''));
    client.on('error', () => undefined);
    client.on('end', () => {
      if (this.client === client) this.onListening(false);
      if (!this.stopped) setTimeout(() => void this.reconnect(), this.retryMs);
    });
    await client.connect();
    await client.query(`LISTEN ${this.channel}`);
    this.client = client;
    this.retryMs = 250;
    this.onListening(true);
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.connect();
      this.onReconnect();
    } catch {
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
      setTimeout(() => void this.reconnect(), this.retryMs);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.onListening(false);
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}
