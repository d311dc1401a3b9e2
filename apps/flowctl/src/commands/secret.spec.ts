import { flowctl } from '../testing/capture-io';
import { type FakeApi, startFakeApi } from '../testing/fake-api-server';

describe('flowctl secret', () => {
  let api: FakeApi;
  beforeEach(async () => {
    api = await startFakeApi({
      'PUT /secrets/TOKEN': { body: { namespace: 'default', name: 'TOKEN', result: 'created' } },
      'GET /secrets': {
        body: {
          items: [
            { name: 'TOKEN', namespace: 'default', keyId: 'abc', createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() },
          ],
        },
      },
      'DELETE /secrets/TOKEN': { body: { result: 'deleted' } },
    });
  });
  afterEach(() => api.close());

  it('sets a value read from stdin, dropping one trailing newline, and never prints it', async () => {
    const result = await flowctl(['secret', 'set', 'TOKEN'], { server: api.url, stdin: 's3cr3t-value\n' });
    expect(result).toEqual({ code: 0, stdout: 'secret/TOKEN created\n', stderr: '' });
    expect(api.requests[0]).toMatchObject({ method: 'PUT', path: '/secrets/TOKEN' });
    expect(JSON.parse(String(api.requests[0]!.body))).toEqual({ value: 's3cr3t-value' });
  });

  it('takes --from-literal and --namespace', async () => {
    expect((await flowctl(['secret', 'set', 'TOKEN', '--from-literal', 'v', '-n', 'team-a'], { server: api.url })).code).toBe(0);
    expect(api.requests[0]!.query.get('namespace')).toBe('team-a');
    expect(JSON.parse(String(api.requests[0]!.body))).toEqual({ value: 'v' });
  });

  it('refuses an empty value and two sources with exit code 2, sending nothing', async () => {
    expect(await flowctl(['secret', 'set', 'TOKEN'], { server: api.url, stdin: '' })).toMatchObject({ code: 2 });
    expect(
      await flowctl(['secret', 'set', 'TOKEN', '--from-literal', 'a', '--from-file', '/etc/hostname'], { server: api.url }),
    ).toMatchObject({
      code: 2,
    });
    expect(api.requests).toHaveLength(0);
  });

  it('lists names and deletes', async () => {
    const list = await flowctl(['secret', 'list'], { server: api.url });
    expect(list.stdout).toMatch(/^NAME\s+CREATED\s+UPDATED\s+KEY\nTOKEN\s/);
    expect(await flowctl(['secret', 'delete', 'TOKEN'], { server: api.url })).toMatchObject({ code: 0, stdout: 'secret/TOKEN deleted\n' });
  });
});
