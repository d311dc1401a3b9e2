import type { SecretMasker } from '../secret-masker';
import { leasePath, type WorkerApiClient } from './worker-api-client';

type Level = 'debug' | 'info' | 'warn' | 'error';
type Stream = 'log' | 'stdout' | 'stderr';

const FLUSH_MS = 1_000;
const LINES_PER_CALL = 500;
/** Under the server's 1 MiB per call, with room for the JSON around the messages. */
const BYTES_PER_CALL = 512 * 1024;
const MAX_LINE_CHARS = 64 * 1024;
/** Past this many lines waiting (the server unreachable), new ones are counted, not kept. */
const MAX_BUFFERED = 10_000;

/** A handler's log lines, masked, sent to the server in batches: every second, and once more when the attempt ends. */
export class AttemptLogShipper {
  private lines: { ts: string; level: Level; message: string; stream: Stream }[] = [];
  private dropped = 0;
  private timer?: NodeJS.Timeout;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: WorkerApiClient,
    private readonly leaseId: string,
    private readonly masker: SecretMasker,
  ) {}

  /** Returns false past half the buffer: a writer that can wait (a process's output) awaits drained(). */
  write(level: Level, message: string, fields?: Record<string, unknown>, stream: Stream = 'log'): boolean {
    if (this.lines.length >= MAX_BUFFERED) {
      this.dropped++;
      return false;
    }
    const text = fields && Object.keys(fields).length > 0 ? `${message} ${safeJson(fields)}` : message;
    this.lines.push({ ts: new Date().toISOString(), level, message: this.masker.maskText(text).slice(0, MAX_LINE_CHARS), stream });
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
    return this.lines.length < MAX_BUFFERED / 2;
  }

  /** Resolves at once under half the buffer, else once what is buffered has been sent. */
  drained(): Promise<void> {
    return this.lines.length < MAX_BUFFERED / 2 ? Promise.resolve() : this.flush();
  }

  /** Sends what is buffered; failures lose those lines (logs never hold up or fail an attempt). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.sending = this.sending.then(async () => {
      if (this.dropped > 0) {
        this.lines.push({ ts: new Date().toISOString(), level: 'warn', message: `${this.dropped} log line(s) dropped`, stream: 'log' });
        this.dropped = 0;
      }
      while (this.lines.length > 0) {
        let count = 0;
        let bytes = 0;
        while (count < this.lines.length && count < LINES_PER_CALL && bytes < BYTES_PER_CALL)
          bytes += Buffer.byteLength(this.lines[count++]!.message);
        const batch = this.lines.splice(0, count);
        await this.client.post(leasePath(this.leaseId, 'logs'), { lines: batch }).catch(() => undefined);
      }
    });
    return this.sending;
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '[unserialisable]';
  }
}
