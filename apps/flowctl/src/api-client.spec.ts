import { ApiClient, resolveServer } from './api-client';
import { ApiError, InvalidInput, ServerUnreachable } from './errors';
import { type FakeApi, startFakeApi, unusedServerUrl } from './testing/fake-api-server';

describe('resolveServer', () => {
  it('prefers --server, then FLOWCTL_SERVER, then localhost:8080', () => {
    expect(resolveServer('http://a:1', { FLOWCTL_SERVER: 'http://b:2' })).toBe('http://a:1');
    expect(resolveServer(undefined, { FLOWCTL_SERVER: 'http://b:2/' })).toBe('http://b:2');
    expect(resolveServer(undefined, {})).toBe('http://localhost:8080');
  });

  it('adds http:// to a bare host and keeps a path prefix', () => {
    expect(resolveServer('scheduler:8080', {})).toBe('http://scheduler:8080');
    expect(resolveServer('https://example.test/flowctl/', {})).toBe('https://example.test/flowctl');
  });

  it('rejects what is not an http(s) URL', () => {
    expect(() => resolveServer('ftp://example.test', {})).toThrow(InvalidInput);
    expect(() => resolveServer('http://', {})).toThrow(InvalidInput);
  });
});

describe('ApiClient', () => {
  let api: FakeApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('sends JSON to /api/v1 and parses the JSON answer', async () => {
    api = await startFakeApi({ 'POST /workflows/etl/runs': { status: 201, body: { id: 'r1', status: 'pending' } } });
    const client = new ApiClient(api.url);
    await expect(client.send('POST', '/workflows/etl/runs', { json: { inputs: { a: 1 } } })).resolves.toEqual({
      status: 201,
      body: { id: 'r1', status: 'pending' },
    });
    expect(api.requests[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(api.requests[0]?.body ?? '')).toEqual({ inputs: { a: 1 } });
  });

  it('turns an error answer into an ApiError with its status and message', async () => {
    api = await startFakeApi({
      'GET /runs/nope': { status: 404, body: { statusCode: 404, error: 'Not Found', message: 'run "nope" not found' } },
      'GET /runs/list': { status: 400, body: { statusCode: 400, error: 'Bad Request', message: ['limit must be a number', 'bad cursor'] } },
    });
    const client = new ApiClient(api.url);
    await expect(client.get('/runs/nope')).rejects.toEqual(new ApiError(404, 'run "nope" not found', 'Not Found'));
    await expect(client.get('/runs/list')).rejects.toMatchObject({ status: 400, message: 'limit must be a number; bad cursor' });
  });

  it('follows nextCursor with all, and stops after one page without it', async () => {
    api = await startFakeApi({
      'GET /runs': (request) =>
        request.query.get('cursor') === 'c2'
          ? { body: { items: [{ id: 'r3' }], nextCursor: null } }
          : { body: { items: [{ id: 'r1' }, { id: 'r2' }], nextCursor: 'c2' } },
    });
    const client = new ApiClient(api.url);
    await expect(client.list('/runs', {}, { all: true })).resolves.toEqual({
      items: [{ id: 'r1' }, { id: 'r2' }, { id: 'r3' }],
      nextCursor: null,
    });
    await expect(client.list('/runs')).resolves.toEqual({ items: [{ id: 'r1' }, { id: 'r2' }], nextCursor: 'c2' });
  });

  it('says which server it cannot reach when the connection is refused', async () => {
    const url = await unusedServerUrl();
    const failure = new ApiClient(url).get('/runs');
    await expect(failure).rejects.toBeInstanceOf(ServerUnreachable);
    await expect(failure).rejects.toThrow(`cannot reach the flowctl server at ${url}: connect ECONNREFUSED`);
  });
});
