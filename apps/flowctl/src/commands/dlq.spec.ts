import { flowctl } from '../testing/capture-io';
import { type FakeApi, startFakeApi } from '../testing/fake-api-server';

describe('flowctl dlq', () => {
  let api: FakeApi;
  beforeEach(async () => {
    api = await startFakeApi({
      'POST /dead-letters/9/requeue': { body: { id: 9 } },
      'GET /dead-letters': {
        body: { items: [{ id: 9, runId: 'r1', workflow: 'etl', task: 'load', type: 'http', attempt: 3 }], nextCursor: null },
      },
    });
  });
  afterEach(() => api.close());

  it('requeues a dead letter', async () => {
    expect(await flowctl(['dlq', 'requeue', '9'], { server: api.url })).toEqual({
      code: 0,
      stdout: 'dead-letter/9 requeued\n',
      stderr: '',
    });
    expect(api.requests[0]).toMatchObject({ method: 'POST', path: '/dead-letters/9/requeue' });
  });

  it('lists dead letters like get dead-letters', async () => {
    const result = await flowctl(['dlq', 'list'], { server: api.url });
    expect(result.stdout).toBe((await flowctl(['get', 'dead-letters'], { server: api.url })).stdout);
    expect(result.stdout).toMatch(/^ID\s+RUN/);
  });

  it('exits 2 without a subcommand', async () => {
    expect((await flowctl(['dlq'], { server: api.url })).code).toBe(2);
  });
});
