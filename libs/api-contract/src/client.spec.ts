import { ApiError, createFlowctlClient } from './client';
import { openApiDocument } from './openapi';
import { ROUTES } from './routes';

/** A fetch that records each request and answers `status` with `body`. */
function fakeFetch(status: number, body: string, statusText = '') {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(body, { status, statusText });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

describe('the typed client', () => {
  it('fills path parameters as single segments, the rest as the query, and sends the body as JSON', async () => {
    const { fetch, calls } = fakeFetch(201, JSON.stringify({ id: 'r1' }));
    const client = createFlowctlClient({ server: 'http://scheduler:8080/', token: 't0k', fetch });
    const answer = await client.call('startRun', { name: 'a/b', namespace: 'team', body: { inputs: { x: 1 } } });
    expect(answer).toEqual({ status: 201, body: { id: 'r1' } });
    expect(calls[0]!.url).toBe('http://scheduler:8080/api/v1/workflows/a%2Fb/runs?namespace=team');
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.headers).toMatchObject({ authorization: 'Bearer t0k', 'content-type': 'application/json' });
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ inputs: { x: 1 } });
  });

  it('sends a YAML document as YAML, and leaves empty query values out', async () => {
    const { fetch, calls } = fakeFetch(200, '{}');
    const client = createFlowctlClient({ server: '', fetch });
    await client.applyWorkflow({ body: 'apiVersion: flowctl/v1\n' });
    await client.listRuns({ workflow: '', status: 'failed', limit: 5 });
    expect(calls[0]!.init.headers).toMatchObject({ 'content-type': 'application/yaml' });
    expect(calls[1]!.url).toBe('/api/v1/runs?status=failed&limit=5');
  });

  it("throws the server's error as an ApiError with its status, reason and message", async () => {
    const body = { statusCode: 404, error: 'Not Found', message: 'run x not found', code: 'NotFound' };
    const client = createFlowctlClient({ server: '', fetch: fakeFetch(404, JSON.stringify(body)).fetch });
    const error = (await client.getRun({ id: 'x' }).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'NotFound', message: 'run x not found', isNotFound: true });
    expect(error.answer).toEqual({ body, statusText: '' });
  });

  it('still gives a sentence for an answer that is not the error shape', async () => {
    const client = createFlowctlClient({ server: '', fetch: fakeFetch(502, '<html>Bad gateway</html>', 'Bad Gateway').fetch });
    await expect(client.listRuns()).rejects.toMatchObject({ statusCode: 502, message: '502 Bad Gateway' });
  });

  it('with validate, refuses an answer its schema does not describe', async () => {
    const client = createFlowctlClient({
      server: '',
      validate: true,
      fetch: fakeFetch(200, JSON.stringify({ status: 'ok', extra: 1 })).fetch,
    });
    await expect(client.healthz()).rejects.toThrow(/not as the contract says/);
  });
});

describe('the route table', () => {
  it('parses queries as the API always read them: text to numbers, defaults, and the old messages', () => {
    expect(ROUTES.listRuns.query.parse({ limit: '5', status: '' })).toMatchObject({ limit: 5, status: undefined });
    expect(ROUTES.listRuns.query.parse({})).toMatchObject({ limit: 50 });
    const refused = ROUTES.listRuns.query.safeParse({ limit: '0' });
    expect(refused.error?.issues[0]?.message).toBe('limit must be an integer from 1 to 500');
  });

  it('is written as an OpenAPI document with one operation per route', () => {
    const document = openApiDocument() as { paths: Record<string, Record<string, { operationId: string }>> };
    const operations = Object.values(document.paths).flatMap((path) => Object.values(path).map((operation) => operation.operationId));
    expect(operations.sort()).toEqual(Object.keys(ROUTES).sort());
    expect(JSON.stringify(document)).not.toContain('#/$defs/');
  });
});
