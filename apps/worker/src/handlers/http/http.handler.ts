import { validateHeaderName, validateHeaderValue, type IncomingMessage } from 'node:http';
import { checkDestination, DestinationRefused, DestinationUnresolved, sendPinned, type Resolve } from '@flowctl/egress';
import { defineHandler, NonRetryableError } from '@flowctl/worker-sdk';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const ALLOWLIST_POLICY = (allowlist: readonly string[]) => ({ allowlist, setting: 'FLOWCTL_HTTP_ALLOWLIST' });

export interface HttpLimits {
  allowlist: readonly string[];
  /** Bytes of response body read at most; over it the task fails non-retryably. */
  maxResponseBytes: number;
  /** The whole exchange, redirects and body included. */
  timeoutMs: number;
  maxRedirects: number;
  /** Tests only: how names become addresses (default: the system resolver). */
  resolve?: Resolve;
}

interface HttpInput {
  url?: unknown;
  method?: unknown;
  headers?: unknown;
  body?: unknown;
  expectStatus?: unknown;
}

interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

function expectedStatus(expect: unknown): (status: number) => boolean {
  if (expect === undefined) return (status) => status >= 200 && status < 300;
  const list = (Array.isArray(expect) ? expect : [expect]).map(Number);
  if (list.some((s) => !Number.isInteger(s))) throw new NonRetryableError('http: `expectStatus` must be a status code or a list of them');
  return (status) => list.includes(status);
}

function readUrl(value: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    throw new NonRetryableError(`http: invalid url ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new NonRetryableError(`http: only http and https are allowed, not ${url.protocol}`);
  return url;
}

async function readBounded(response: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    response.destroy();
    throw new NonRetryableError(`http: response body is ${declared} bytes, over the limit of ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      response.destroy();
      throw new NonRetryableError(`http: response body is over the limit of ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const headerRecord = (response: IncomingMessage): Record<string, string> =>
  Object.fromEntries(
    Object.entries(response.headers)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value!]),
  );

/**
 * Calls a URL the worker's policy permits. Every hop (the URL and each
 * redirect, followed by hand) is checked after DNS resolution, and the
 * connection goes to the checked address. JSON bodies are parsed so later
 * tasks can read into them.
 */
export const httpHandler = (limits: HttpLimits) =>
  defineHandler<HttpInput, HttpResult>(async (input, ctx) => {
    if (typeof input?.url !== 'string') throw new NonRetryableError('http: `url` must be a string');
    let url = readUrl(input.url);
    let method = typeof input.method === 'string' ? input.method.toUpperCase() : 'GET';
    if (!METHODS.has(method)) throw new NonRetryableError(`http: unsupported method ${method}`);
    let headers = readHeaders(input.headers);
    let body = input.body === undefined ? undefined : typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
    if (body !== undefined && typeof input.body !== 'string' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
    const accept = expectedStatus(input.expectStatus);
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(limits.timeoutMs)]);

    try {
      for (let redirects = 0; ; redirects++) {
        const destination = await checkDestination(url, ALLOWLIST_POLICY(limits.allowlist), limits.resolve).catch((error: Error) => {
          if (error instanceof DestinationUnresolved) throw Object.assign(new Error(`http: ${error.message}`), { name: 'HttpDnsError' });
          if (!(error instanceof DestinationRefused)) throw error;
          throw new NonRetryableError(
            redirects === 0 ? `http: ${error.message}` : `http: redirect to ${url.href} refused: ${error.message}`,
          );
        });
        // The request line and the status go to the attempt's log (masked of secrets like every line).
        ctx.logger.info(`${method} ${url.href}`);
        const sentAt = Date.now();
        const response = await sendPinned(url, destination, { method, headers, body, signal });
        const status = response.statusCode ?? 0;
        ctx.logger[status >= 400 ? 'warn' : 'info'](
          `${status} ${response.statusMessage ?? ''} (${Date.now() - sentAt} ms)`.replace('  ', ' '),
        );
        const location = response.headers.location;
        if (!REDIRECTS.has(response.statusCode ?? 0) || !location) {
          const text = await readBounded(response, limits.maxResponseBytes);
          return finish(response, text, method, url, accept);
        }
        response.resume();
        if (redirects >= limits.maxRedirects) throw new NonRetryableError(`http: more than ${limits.maxRedirects} redirects`);
        const next = readUrl(location, url);
        if (next.origin !== url.origin) headers = withoutCredentials(headers);
        // As browsers do: 303 always, and 301/302 after a POST, become a GET without body.
        if (response.statusCode === 303 || ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')) {
          method = method === 'HEAD' ? 'HEAD' : 'GET';
          body = undefined;
          headers = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-type'));
        }
        url = next;
      }
    } catch (error) {
      if (signal.aborted && !ctx.signal.aborted) {
        throw Object.assign(new Error(`http: ${method} ${url.href} took longer than ${limits.timeoutMs} ms`), { name: 'HttpTimeout' });
      }
      throw error;
    }
  });

function finish(response: IncomingMessage, text: string, method: string, url: URL, accept: (status: number) => boolean): HttpResult {
  const headers = headerRecord(response);
  let parsed: unknown = text;
  if ((headers['content-type'] ?? '').includes('json')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  const status = response.statusCode ?? 0;
  const result = { status, headers, body: parsed };
  if (!accept(status)) {
    throw Object.assign(new Error(`http: ${method} ${url.href} answered ${status}`), { name: 'HttpStatusError', details: result });
  }
  return result;
}

/** Credentials meant for one origin are not handed to the next one a redirect names. */
const withoutCredentials = (headers: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(headers).filter(([name]) => !['authorization', 'cookie', 'proxy-authorization'].includes(name.toLowerCase())),
  );

/** Header names and values as HTTP allows them: a CR or LF in a value would start a header of its own. */
function readHeaders(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new NonRetryableError('http: `headers` must be a mapping');
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(value)) {
    if (typeof raw !== 'string' && typeof raw !== 'number') throw new NonRetryableError(`http: header ${name} must be a string`);
    try {
      validateHeaderName(name);
      validateHeaderValue(name, String(raw));
    } catch (error) {
      throw new NonRetryableError(`http: invalid header ${JSON.stringify(name)}: ${(error as Error).message}`);
    }
    headers[name] = String(raw);
  }
  return headers;
}
