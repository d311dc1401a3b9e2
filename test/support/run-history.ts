import type { TestApi } from './api-client';

const TERMINAL_RUN_EVENTS = new Set(['run_succeeded', 'run_failed', 'run_cancelled', 'run_timed_out']);

interface HistoryEvent {
  type: string;
  task: string | null;
  attempt: number | null;
}

/**
 * What a fault must never do to a run's history: a start without the queueing
 * of that attempt before it, more attempts than the task's retry policy
 * allows, or other than exactly one terminal run event, at the end. Returns the
 * problems found (empty when the history is consistent).
 */
export async function historyProblems(api: TestApi, runId: string, maxAttempts: number): Promise<string[]> {
  const events: HistoryEvent[] = [];
  let cursor: string | undefined;
  do {
    const { body } = await api.get(`/runs/${runId}/events?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    events.push(...(body.items as HistoryEvent[]));
    cursor = body.nextCursor ?? undefined;
  } while (cursor);

  const problems: string[] = [];
  const queued = new Set<string>();
  for (const event of events) {
    const key = `${event.task}#${event.attempt}`;
    if (event.type === 'task_queued') queued.add(key);
    if (event.type === 'task_started' && !queued.has(key)) problems.push(`task_started of ${key} without a task_queued before it`);
    if (event.attempt !== null && event.attempt > maxAttempts) problems.push(`${event.type} of ${key}: more than ${maxAttempts} attempts`);
  }
  const terminal = events.filter((event) => TERMINAL_RUN_EVENTS.has(event.type));
  if (terminal.length !== 1) problems.push(`${terminal.length} terminal run events: ${terminal.map((e) => e.type).join(', ')}`);
  if (!TERMINAL_RUN_EVENTS.has(events.at(-1)?.type ?? ''))
    problems.push(`history ends with ${events.at(-1)?.type}, not a terminal run event`);
  return problems;
}

/** Polls each run through `api` until it ends; returns them in order. */
export async function waitForRuns(api: TestApi, runIds: readonly string[], timeoutMs: number): Promise<any[]> {
  const deadline = Date.now() + timeoutMs;
  const runs: any[] = [];
  for (const id of runIds) {
    for (;;) {
      const { body } = await api.get(`/runs/${id}`).catch(() => ({ body: undefined as any }));
      if (body && ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(body.status)) {
        runs.push(body);
        break;
      }
      if (Date.now() > deadline) throw new Error(`run ${id} did not finish within ${timeoutMs}ms; last status ${body?.status}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return runs;
}
