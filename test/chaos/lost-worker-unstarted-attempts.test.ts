import type { ResultMessage } from '@flowctl/queue';
import { FlowctlStack } from '../support/flowctl-stack';
import { workerRegistration } from '../support/result-messages';
import { waitFor } from '../support/wait-for';
import { aWorkflow } from '../support/workflow-factory';

/**
 * Attempts of a worker that died which PostgreSQL does not show as running on
 * it: a start report that reaches the scheduler only after the leader declared
 * the worker lost (it waited behind a backlog), and a task the worker took but
 * had not yet reported as started (quick tasks report once, at their end; only
 * the job says who took it). The dead worker's messages are sent by hand here,
 * for a task type no live worker serves.
 */
describe('chaos: attempts of a lost worker that PostgreSQL does not show running on it', () => {
  let stack: FlowctlStack;
  // The channel workers report on, as the dead worker would have used it.
  const report = (message: ResultMessage) => stack.queues().results().publish(message);

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'chaos_late_start', schedulerEnv: { FLOWCTL_WORKER_LOST_AFTER: '1s' } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** Waits for attempt 1 to fail as WorkerLost and attempt 2 to be queued; checks attempt 1's history and returns the task. */
  async function expectFailedAsLostAndRetried(runId: string, what: string): Promise<any> {
    const sentAt = Date.now();
    const retried = await waitFor(
      async () => {
        const found = (await stack.api.get(`/runs/${runId}`)).body.tasks[0];
        return found.attempt === 2 ? found : undefined;
      },
      { timeoutMs: 15_000, what: 'attempt 1 to fail and attempt 2 to be queued' },
    );
    console.log(`${what} -> failed as WorkerLost and retried ${Date.now() - sentAt} ms later`);
    expect(retried.status).toMatch(/^(retrying|queued)$/);
    const events = (await stack.api.get(`/runs/${runId}/events`)).body.items as any[];
    expect(events.filter((e) => e.attempt === 1).map((e) => [e.type, e.details?.error?.type ?? null])).toEqual([
      ['task_queued', null],
      ['task_started', null],
      ['task_failed', 'WorkerLost'],
      ['task_retrying', null],
    ]);
    return retried;
  }

  it('fails a start that arrives after its worker was declared lost as WorkerLost at once, not at its timeout', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'orphan',
        tasks: [{ name: 'job', type: 'unserved', timeout: '120s', retry: { maxAttempts: 3, initialInterval: '200ms' } }],
      }),
    );
    const { body: started } = await stack.api.post('/workflows/orphan/runs');
    const task = await waitFor(
      async () => {
        const found = (await stack.api.get(`/runs/${started.id}`)).body.tasks[0];
        return found.status === 'queued' ? found : undefined;
      },
      { what: 'the task to be queued' },
    );

    // The ghost's last heartbeat is old: the leader declares it lost.
    const ghost = { id: 'ghost-worker' };
    await report(workerRegistration(ghost.id, ['unserved'], 10_000, 1));
    await stack.waitForWorkerMarkedLost(ghost.id, 15_000);

    const startAt = new Date().toISOString();
    await report({ kind: 'started', runId: started.id, taskRunId: task.id, attempt: 1, workerId: ghost.id, at: startAt });
    await expectFailedAsLostAndRetried(started.id, 'start report from a lost worker');
  }, 90_000);

  it('fails an attempt the lost worker took but never reported started, within seconds, not after the job lock expires', async () => {
    await stack.api.applyYaml(
      aWorkflow({
        name: 'taken',
        tasks: [{ name: 'job', type: 'unserved-held', timeout: '120s', retry: { maxAttempts: 3, initialInterval: '200ms' } }],
      }),
    );
    const transport = stack.queues();
    // The doomed worker: takes the job, never answers, never heartbeats again. Its type is its own: the
    // first test leaves a queued attempt of 'unserved' that it would take instead.
    const taker = transport.worker('unserved-held', () => new Promise<never>(() => undefined), { name: 'doomed', concurrency: 1 });
    try {
      const { body: started } = await stack.api.post('/workflows/taken/runs');
      const [held] = await waitFor(
        async () => {
          const active = await transport.queue('unserved-held').getActive();
          return active.length === 1 ? active : undefined;
        },
        { what: 'the doomed worker to take the job' },
      );
      expect(held!.processedBy).toBe('doomed');
      await transport.results().publish(workerRegistration('doomed', ['unserved-held'], 10_000, 1));
      const retried = await expectFailedAsLostAndRetried(started.id, 'worker lost holding an unstarted attempt');
      // The held job went with the attempt, so no stalled check can hand attempt 1 to anyone again.
      expect(held!.id).toBe(`t${retried.id}-1`);
      expect(await transport.queue('unserved-held').getJob(held!.id!)).toBeUndefined();
    } finally {
      await taker.close(true);
    }
  }, 60_000);
});
