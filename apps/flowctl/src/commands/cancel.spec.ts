import { flowctl } from '../testing/capture-io';
import { type FakeApi, startFakeApi } from '../testing/fake-api-server';

describe('flowctl cancel run', () => {
  let api: FakeApi;
  beforeEach(async () => {
    api = await startFakeApi({
      'POST /runs/r1/cancel': { body: { id: 'r1', status: 'cancelled' } },
      'POST /runs/done/cancel': { status: 409, body: { statusCode: 409, error: 'Conflict', message: 'run "done" already succeeded' } },
    });
  });
  afterEach(() => api.close());

  it('cancels the run', async () => {
    expect(await flowctl(['cancel', 'run', 'r1'], { server: api.url })).toEqual({
      code: 0,
      stdout: 'run/r1 cancelled (status cancelled)\n',
      stderr: '',
    });
    expect(api.requests[0]).toMatchObject({ method: 'POST', path: '/runs/r1/cancel' });
  });

  it('exits 1 when the server refuses (409)', async () => {
    expect(await flowctl(['cancel', 'run', 'done'], { server: api.url })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: run "done" already succeeded\n',
    });
  });

  it('exits 2 for anything but a run', async () => {
    expect((await flowctl(['cancel', 'workflow', 'etl'], { server: api.url })).code).toBe(2);
    expect(api.requests).toHaveLength(0);
  });
});
