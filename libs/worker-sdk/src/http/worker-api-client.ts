/** What the server answered: the status and the parsed JSON body. */
export interface WorkerApiAnswer<T = unknown> {
  status: number;
  body: T;
}

/** The server refused a request for good (a 4xx other than 408/429): retrying it would not help. */
export class WorkerApiRefused extends Error {
  override name = 'WorkerApiRefused';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Statuses worth asking again: the server or the way to it had a bad moment. */
export const isTransient = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/**
 * The HTTP worker protocol's calls (JSON under /api/v1/worker) over the
 * global fetch. It never retries by itself: the runner knows which calls may
 * be repeated and for how long.
 */
export class WorkerApiClient {
  private readonly base: string;

  constructor(
    server: string,
    private readonly token?: string,
  ) {
    this.base = `${server.replace(/\/+$/, '')}/api/v1/worker`;
  }

  async post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<WorkerApiAnswer<T>> {
    const response = await fetch(`${this.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify(body),
      signal,
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      // a proxy's HTML error page: kept as text for the message
    }
    return { status: response.status, body: parsed as T };
  }
}

export const leasePath = (leaseId: string, what: 'heartbeat' | 'complete' | 'fail' | 'logs') =>
  `/tasks/${encodeURIComponent(leaseId)}/${what}`;

export const messageOf = (answer: WorkerApiAnswer): string => {
  const body = answer.body as { message?: unknown } | string;
  return typeof body === 'object' && body !== null && typeof body.message === 'string' ? body.message : String(body).slice(0, 200);
};
