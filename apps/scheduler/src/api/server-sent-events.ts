import type { Request, Response } from 'express';

/** A comment line this often keeps proxies and load balancers from closing an idle stream. */
export const SSE_HEARTBEAT_MS = 15_000;
/** What EventSource waits before it reconnects (it then sends Last-Event-ID). */
const RECONNECT_MS = 3_000;
/**
 * A browser that stops reading (a sleeping laptop) would make us buffer its
 * stream without bound. Past this many unsent bytes we close it instead: it
 * reconnects with Last-Event-ID and catches up from the database.
 */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * One Server-Sent Events response: the headers, `event:`/`id:`/`data:` frames,
 * the heartbeat comment, and one close path whether the client left, the
 * server is shutting down or the client fell too far behind.
 */
export class ServerSentEvents {
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly closeHandlers: (() => void)[] = [];

  constructor(
    request: Request,
    private readonly response: Response,
    heartbeatMs = SSE_HEARTBEAT_MS,
  ) {
    response.status(200);
    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    response.setHeader('Cache-Control', 'no-cache, no-transform');
    response.setHeader('Connection', 'keep-alive');
    // nginx buffers responses unless told not to; a buffered event stream is not live.
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    response.write(`retry: ${RECONNECT_MS}\n\n`);
    this.heartbeat = setInterval(() => this.comment('heartbeat'), heartbeatMs);
    this.heartbeat.unref();
    request.on('close', () => this.close());
    response.on('error', () => this.close());
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** One frame; `data` is JSON on one line (JSON.stringify never emits a raw newline). */
  send(event: string, data: unknown, id?: string): void {
    if (this.closed) return;
    const frame = `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    this.response.write(frame);
    if (this.response.writableLength > MAX_BUFFERED_BYTES) this.close();
  }

  comment(text: string): void {
    if (!this.closed) this.response.write(`: ${text}\n\n`);
  }

  onClose(handler: () => void): void {
    if (this.closed) handler();
    else this.closeHandlers.push(handler);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.response.end();
    for (const handler of this.closeHandlers.splice(0)) handler();
  }
}
