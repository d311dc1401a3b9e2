import { flowctl } from '../testing/capture-io';
import { type FakeApi, startFakeApi } from '../testing/fake-api-server';

describe('flowctl approve / reject', () => {
  let api: FakeApi;
  beforeEach(async () => {
    api = await startFakeApi({
      'POST /runs/r1/tasks/sign-off/approve': { body: {} },
      'POST /runs/r1/tasks/sign-off/reject': { status: 204 },
    });
  });
  afterEach(() => api.close());

  it('approves an approval task', async () => {
    expect(await flowctl(['approve', 'r1', 'sign-off'], { server: api.url })).toEqual({
      code: 0,
      stdout: 'task/sign-off of run/r1 approved\n',
      stderr: '',
    });
  });

  it('rejects an approval task, with an empty answer', async () => {
    expect(await flowctl(['reject', 'r1', 'sign-off'], { server: api.url })).toEqual({
      code: 0,
      stdout: 'task/sign-off of run/r1 rejected\n',
      stderr: '',
    });
  });

  it('exits 1 for a task that is not waiting for a decision', async () => {
    expect((await flowctl(['approve', 'r1', 'extract'], { server: api.url })).code).toBe(1);
  });

  it('keeps each user-given id one path segment', async () => {
    await flowctl(['approve', 'r1/../x', 'a b'], { server: api.url });
    expect(api.requests[0]?.path).toBe('/runs/r1%2F..%2Fx/tasks/a%20b/approve');
  });
});
