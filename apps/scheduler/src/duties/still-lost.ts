import type { TaskRunRow } from '@flowctl/persistence';
import type { ResultsChannel } from '@flowctl/queue';

/** How often a pass looks whether the reports sent before it have been applied. */
const SETTLE_POLL_MS = 250;

export interface StillLostOptions {
  results: Pick<ResultsChannel, 'mark' | 'isSettledThrough'>;
  /** The tasks as PostgreSQL has them now. */
  findByIds(ids: string[]): Promise<TaskRunRow[]>;
  /** False once the caller stops (lost the lead, shutting down): the wait ends without an answer. */
  isActive(): boolean;
  /** How long to wait for the earlier reports before giving up on this pass. */
  waitMs: number;
}

/**
 * Of the in-flight tasks whose job is missing from the queue, those that are lost: a missing job is not
 * yet a lost one. Finished jobs are trimmed (the queue keeps the latest 20,000), and a worker sends its
 * report before its job completes, so a task whose job is gone may have its report still on the way to
 * PostgreSQL: a 100,000-task fan-out runs ahead of result application by tens of thousands. A task is
 * lost only if, once every report sent before its job was found missing has been applied, PostgreSQL
 * still has it in flight at the same attempt; sending it before that would run it a second time.
 * Answers none when the reports are not applied within `waitMs`: the next pass looks again.
 */
export async function stillLost(suspects: readonly TaskRunRow[], options: StillLostOptions): Promise<TaskRunRow[] | undefined> {
  if (suspects.length === 0) return [];
  const mark = await options.results.mark();
  const deadline = Date.now() + options.waitMs;
  while (!(await options.results.isSettledThrough(mark))) {
    if (!options.isActive() || Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
  const attempts = new Map(suspects.map((task) => [task.id, task.attempt]));
  const current = await options.findByIds([...attempts.keys()]);
  return current.filter((task) => (task.status === 'queued' || task.status === 'running') && attempts.get(task.id) === task.attempt);
}
