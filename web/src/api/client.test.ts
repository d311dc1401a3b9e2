import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, withQuery } from './client';

const respond = (status: number, body: string, statusText = '') => vi.fn(async () => new Response(body, { status, statusText }));

describe('ApiClient', () => {
  it('returns the parsed body of a success and sends JSON with the right method and path', async () => {
    const fetcher = respond(200, JSON.stringify({ id: 'r1', status: 'cancelled' }));
    const client = new ApiClient('/api/v1', fetcher);
    await expect(client.cancelRun('r 1')).resolves.toEqual({ id: 'r1', status: 'cancelled' });
    const [url, init] = fetcher.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/runs/r%201/cancel');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>)['content-type']).toBe('application/json');
  });

  it("throws the scheduler's own message, status and code when it refuses", async () => {
    const body = { statusCode: 409, error: 'Conflict', message: 'run 42 is succeeded; only a failed run can be retried', code: 'Conflict' };
    const client = new ApiClient('/api/v1', respond(409, JSON.stringify(body)));
    const error = await client.retryRun('42').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, message: body.message, code: 'Conflict' });
  });

  it('joins a list of messages, and marks a 404 as not found', async () => {
    const client = new ApiClient('/api/v1', respond(404, JSON.stringify({ statusCode: 404, message: ['run x not found', 'twice'] })));
    const error = (await client.getRun('x').catch((e: unknown) => e)) as ApiError;
    expect(error.message).toBe('run x not found; twice');
    expect(error.isNotFound).toBe(true);
  });

  it('still gives a sentence for a body that is not the API error shape (a proxy page)', async () => {
    const bad = (await new ApiClient('/api/v1', respond(502, '<html>Bad gateway</html>', 'Bad Gateway'))
      .listRuns()
      .catch((e: unknown) => e)) as ApiError;
    expect(bad).toMatchObject({ status: 502, message: 'The scheduler is unavailable right now. Try again in a moment.' });
    const odd = (await new ApiClient('/api/v1', respond(418, '', "I'm a teapot")).listRuns().catch((e: unknown) => e)) as ApiError;
    expect(odd.message).toBe("The scheduler answered 418 I'm a teapot.");
  });

  it('says the scheduler cannot be reached when the request fails on the network', async () => {
    const client = new ApiClient(
      '/api/v1',
      vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))),
    );
    await expect(client.listWorkers()).rejects.toMatchObject({ status: 0, message: expect.stringContaining('Cannot reach the scheduler') });
  });

  it('lets an abort through as an abort, not as an API error', async () => {
    const abort = new DOMException('aborted', 'AbortError');
    const client = new ApiClient(
      '/api/v1',
      vi.fn(async () => Promise.reject(abort)),
    );
    await expect(client.listWorkers()).rejects.toBe(abort);
  });

  it('builds query strings without empty parameters', () => {
    expect(withQuery('/runs', { workflow: 'etl', status: undefined, from: '', limit: 50 })).toBe('/runs?workflow=etl&limit=50');
    expect(withQuery('/runs')).toBe('/runs');
  });

  it('follows cursors to collect a whole list', async () => {
    const pages: Record<string, { items: number[]; nextCursor: string | null }> = {
      '': { items: [1, 2], nextCursor: 'b' },
      b: { items: [3], nextCursor: null },
    };
    const client = new ApiClient('/api/v1', respond(200, '{}'));
    expect(await client.all(async (cursor) => pages[cursor ?? '']!)).toEqual([1, 2, 3]);
  });
});
