import { FlowctlStack } from './support/flowctl-stack';
import { workerRegistration } from './support/result-messages';
import { waitFor } from './support/wait-for';

jest.setTimeout(60_000);

/**
 * The leader sleeps until its earliest timer is due, and with no worker at all
 * that is its longest sleep (30 s). A worker that registers then must move
 * that wake-up, or one that dies at once goes unnoticed for half a minute.
 */
describe('a worker that registers while the leader sleeps', () => {
  let stack: FlowctlStack;

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'worker_registration', workers: 0, schedulerEnv: { FLOWCTL_WORKER_LOST_AFTER: '2s' } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('is declared lost about FLOWCTL_WORKER_LOST_AFTER after it fell silent, not at the next long tick', async () => {
    await waitFor(async () => (await stack.api.get('/cluster')).body.leader !== null, { timeoutMs: 15_000, what: 'a leader' });
    // Let the leader's first tick find no worker and go to sleep.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    // One registration, sent as a worker that dies right after would have sent it.
    const ghost = { id: 'short-lived' };
    const registeredAt = Date.now();
    await stack
      .queues()
      .results()
      .publish(workerRegistration(ghost.id, ['noop']));

    await stack.waitForWorkerMarkedLost(ghost.id, 12_000);
    expect(Date.now() - registeredAt).toBeGreaterThanOrEqual(2_000);
  });
});
