import { flowctl } from '../testing/capture-io';
import { startFakeApi } from '../testing/fake-api-server';

describe('flowctl retry run', () => {
  it('asks the server to re-run the failed run', async () => {
    const api = await startFakeApi({ 'POST /runs/r1/retry': { body: { id: 'r1', status: 'running' } } });
    try {
      expect(await flowctl(['retry', 'run', 'r1'], { server: api.url })).toEqual({
        code: 0,
        stdout: 'run/r1 retried (status running)\n',
        stderr: '',
      });
      expect(api.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /runs/r1/retry']);
    } finally {
      await api.close();
    }
  });
});
