import { Agent, request } from 'node:http';

class StaleSocketError extends Error {
  override readonly name = 'StaleSocketError';
}

export interface HttpAnswer {
  status: number;
  body: any;
}

/**
 * JSON over node:http with keep-alive, so a load row measures the server and
 * not connection set-up; sockets are capped so a burst queues here, where
 * its wait still counts in the latency measured from the scheduled time.
 */
export class HttpClient {
  private readonly agent: Agent;

  private readonly headers: Record<string, string>;

  /** `token`: sent as the bearer of every request, as a client of an installation with auth on does. */
  constructor(
    private readonly baseUrl: string,
    options: { maxSockets?: number; token?: string } = {},
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
    this.headers = options.token ? { authorization: `Bearer ${options.token}` } : {};
  }

  async send(method: string, path: string, body?: string, contentType = 'application/json'): Promise<HttpAnswer> {
    try {
      return await this.sendOnce(method, path, body, contentType);
    } catch (error) {
      // The server closed a keep-alive socket that sat idle past its timeout just as we reused it:
      // the request never reached the application, so sending it again is safe (Node's own advice).
      if (!(error instanceof StaleSocketError)) throw error;
      return this.sendOnce(method, path, body, contentType);
    }
  }

  private sendOnce(method: string, path: string, body: string | undefined, contentType: string): Promise<HttpAnswer> {
    const url = new URL(`${this.baseUrl}${path}`);
    return new Promise((resolve, reject) => {
      const outgoing = request(
        url,
        {
          method,
          agent: this.agent,
          headers:
            body === undefined ? this.headers : { ...this.headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // not JSON: kept as text for the error message
            }
            resolve({ status: response.statusCode ?? 0, body: parsed });
          });
          response.on('error', reject);
        },
      );
      outgoing.on('error', (error: NodeJS.ErrnoException) =>
        reject(outgoing.reusedSocket && error.code === 'ECONNRESET' ? new StaleSocketError(error.message) : error),
      );
      outgoing.end(body);
    });
  }

  /** Like send, but a non-2xx answer is an error. */
  async json(method: string, path: string, body?: string, contentType?: string): Promise<any> {
    const answer = await this.send(method, path, body, contentType);
    if (answer.status < 200 || answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  close(): void {
    this.agent.destroy();
  }
}
