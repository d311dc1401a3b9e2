import { defineHandler, NonRetryableError } from '@flowctl/worker-sdk';

const MAX_BODY_BYTES = 1_048_576;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

interface HttpInput {
  url?: unknown;
  method?: unknown;
  headers?: unknown;
  body?: unknown;
  expectStatus?: unknown;
}

/** `*` allows any host; `*.example.com` a domain and its subdomains; `host` or `host:port` exactly. */
export function isAllowed(url: URL, allowlist: readonly string[]): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const hostPort = `${host}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  return allowlist.some((entry) => {
    if (entry === '*') return true;
    if (entry.startsWith('*.')) return host === entry.slice(2) || host.endsWith(entry.slice(1));
    return entry === host || entry === hostPort;
  });
}

function expectedStatus(expect: unknown): (status: number) => boolean {
  if (expect === undefined) return (status) => status >= 200 && status < 300;
  const list = (Array.isArray(expect) ? expect : [expect]).map(Number);
  if (list.some((s) => !Number.isInteger(s))) throw new NonRetryableError('http: `expectStatus` must be a status code or a list of them');
  return (status) => list.includes(status);
}

async function readBounded(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new NonRetryableError(`http: response body is over ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Calls a URL the worker's allowlist permits; JSON bodies are parsed so later tasks can read into them. */
export const httpHandler = (allowlist: readonly string[]) =>
  defineHandler<HttpInput, { status: number; headers: Record<string, string>; body: unknown }>(async (input, ctx) => {
    if (typeof input?.url !== 'string') throw new NonRetryableError('http: `url` must be a string');
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw new NonRetryableError(`http: invalid url ${input.url}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new NonRetryableError(`http: only http and https are allowed, not ${url.protocol}`);
    if (!isAllowed(url, allowlist)) throw new NonRetryableError(`http: ${url.host} is not in this worker's allowlist`);
    const method = typeof input.method === 'string' ? input.method.toUpperCase() : 'GET';
    if (!METHODS.has(method)) throw new NonRetryableError(`http: unsupported method ${method}`);
    const headers = (input.headers ?? {}) as Record<string, string>;
    const body = input.body === undefined ? undefined : typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
    if (body !== undefined && typeof input.body !== 'string' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
    const accept = expectedStatus(input.expectStatus);
    // Redirects are followed by hand so each hop is checked against the allowlist.
    let response: Response;
    let target = url;
    for (let hops = 0; ; hops++) {
      response = await fetch(target, { method, headers, body, signal: ctx.signal, redirect: 'manual' });
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location || hops >= 5) break;
      target = new URL(location, target);
      if (!isAllowed(target, allowlist)) throw new NonRetryableError(`http: redirect to ${target.host} is not in this worker's allowlist`);
    }
    const text = await readBounded(response);
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    const result = { status: response.status, headers: Object.fromEntries(response.headers), body: parsed };
    if (!accept(response.status)) {
      throw Object.assign(new Error(`http: ${method} ${target.href} answered ${response.status}`), {
        name: 'HttpStatusError',
        details: result,
      });
    }
    return result;
  });
