export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

/** A thin JSON client for tests: returns status and body, never throws on 4xx/5xx. */
export class TestApi {
  /** `token` goes as `Authorization: Bearer` on every request. */
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  /** The same server, asked with another token (or none). */
  as(token: string | undefined): TestApi {
    return new TestApi(this.baseUrl, token);
  }

  async request<T = any>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiResponse<T>> {
    const response = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': contentType }),
        ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Prometheus text and the like stay strings.
    }
    return { status: response.status, body: parsed as T };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }

  post<T = any>(path: string, body: unknown = {}) {
    return this.request<T>('POST', path, body);
  }

  applyYaml(yaml: string) {
    return this.request('PUT', '/workflows', yaml, 'application/yaml');
  }
}
