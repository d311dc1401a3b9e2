import { waitFor } from './wait-for';

/** One Server-Sent Events frame as a test reads it. */
export interface SseFrame {
  id?: string;
  event: string;
  data: any;
  /** The frame as it came over the wire, in bytes. */
  bytes: number;
}

/** Reads an SSE response into frames as they arrive, so a test can wait for one; close() ends the request. */
export class SseFrames {
  readonly frames: SseFrame[] = [];
  ended = false;
  /** What the server said (its output's tail), added to a failed wait: why a stream ended is in its log. */
  serverOutput?: () => string;

  private constructor(
    readonly status: number,
    private readonly controller: AbortController,
  ) {}

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseFrames> {
    const controller = new AbortController();
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
    const reader = new SseFrames(response.status, controller);
    if (response.ok && response.body) void reader.pump(response.body);
    else reader.ended = true;
    return reader;
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          this.parse(buffer.slice(0, end), Buffer.byteLength(buffer.slice(0, end + 2)));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // closed by the test
    }
    this.ended = true;
  }

  private parse(block: string, bytes: number): void {
    const frame: Partial<SseFrame> & { data: string[] } = { data: [] };
    for (const line of block.split('\n')) {
      if (line.startsWith('id: ')) frame.id = line.slice(4);
      else if (line.startsWith('event: ')) frame.event = line.slice(7);
      else if (line.startsWith('data: ')) frame.data.push(line.slice(6));
    }
    if (frame.event) this.frames.push({ id: frame.id, event: frame.event, data: JSON.parse(frame.data.join('\n')), bytes });
  }

  of(event: string): SseFrame[] {
    return this.frames.filter((frame) => frame.event === event);
  }

  /** Fails at once, saying so, if the server ends the stream before `probe` holds: no wait for a frame that cannot come. */
  async waitFor<T>(probe: () => T | undefined | false | null, what: string, timeoutMs = 20_000): Promise<T> {
    const outcome = await waitFor<{ value: T } | { ended: true }>(
      () => {
        const value = probe();
        if (value) return { value };
        return this.ended ? { ended: true } : undefined;
      },
      { timeoutMs, what, intervalMs: 20 },
    ).catch((error: Error) => {
      throw this.withServerOutput(error.message);
    });
    if ('value' in outcome) return outcome.value;
    const seen = this.frames.map((frame) => frame.event).join(', ') || 'no frame';
    throw this.withServerOutput(`the stream (HTTP ${this.status}) ended before ${what}, after ${seen}`);
  }

  private withServerOutput(message: string): Error {
    return new Error(this.serverOutput ? `${message}\n--- server output ---\n${this.serverOutput()}` : message);
  }

  close(): void {
    this.controller.abort();
  }
}
