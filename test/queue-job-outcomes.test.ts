import { randomBytes } from 'node:crypto';
import { QueueTransport, removeInstallationKeys } from '@flowctl/queue';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from './support/test-database';
import { waitFor } from './support/wait-for';

jest.setTimeout(60_000);

/**
 * What the reconciler reads of the jobs of tasks PostgreSQL says are in flight: whether each exists
 * and how it ended, a page at a time, on both backends.
 */
describe.each(['redis', 'postgres'] as const)('job outcomes on the %s backend', (backend) => {
  let transport: QueueTransport;
  let database: TestDatabase | undefined;
  const prefix = `outcomes-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    if (backend === 'postgres') database = await createTestDatabase('job_outcomes');
    transport = new QueueTransport(backend === 'redis' ? { redisUrl: TEST_REDIS_URL, prefix } : { postgresUrl: database!.url, prefix });
  });

  afterAll(async () => {
    await transport.close();
    if (backend === 'redis') await removeInstallationKeys(TEST_REDIS_URL, prefix);
    await database?.drop();
  });

  it('tells a waiting job, a failed one, a completed one and a missing one apart, in the order asked', async () => {
    const queue = transport.queue('outcomes');
    await queue.addBulk(['waits', 'fails', 'succeeds'].map((jobId) => ({ name: jobId, data: {}, opts: { jobId, attempts: 1 } })));
    // Only the jobs the test means to finish are taken: the worker starts after 'waits' is put aside.
    await queue.remove('waits');
    const worker = transport.worker('outcomes', async (job) => {
      if (job.id === 'fails') throw new Error('it broke');
    });
    try {
      await waitFor(
        async () => {
          const counts = await queue.getJobCounts('completed', 'failed');
          return counts.completed === 1 && counts.failed === 1;
        },
        { what: 'one job completed and one failed' },
      );
    } finally {
      await worker.close();
    }
    await queue.add('waits', {}, { jobId: 'waits' });

    const [missing, failed, waiting, succeeded] = await transport.jobOutcomes('outcomes', ['never-added', 'fails', 'waits', 'succeeds']);
    expect(missing).toBeUndefined();
    expect(failed).toEqual({ finishedOn: expect.any(Number), failedReason: 'it broke' });
    expect(waiting).toEqual({ finishedOn: undefined, failedReason: undefined });
    expect(succeeded).toEqual({ finishedOn: expect.any(Number), failedReason: undefined });
    expect(await transport.jobOutcomes('outcomes', [])).toEqual([]);
  });
});
