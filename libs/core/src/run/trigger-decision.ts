import type { TriggerRule } from '../workflow/workflow-definition';

/**
 * How a task's direct upstream tasks ended so far. Kept as counters on the task
 * run so that each finished upstream costs O(1), whatever the workflow's size.
 */
export interface UpstreamCounts {
  total: number;
  succeeded: number;
  /** Ended failed or dead. */
  failed: number;
  /** Ended skipped or cancelled. */
  skipped: number;
}

export type TriggerDecision = 'wait' | 'ready' | 'skip';

/**
 * Airflow's trigger rules, decided as early as the counts allow: `all_success`
 * gives up at the first failed or skipped upstream, `one_success` fires at the
 * first success, and so on. A rule that can no longer be met gives `skip`.
 */
export function triggerDecision(rule: TriggerRule, counts: UpstreamCounts): TriggerDecision {
  const done = counts.succeeded + counts.failed + counts.skipped;
  const allDone = done >= counts.total;
  switch (rule) {
    case 'all_success':
      if (counts.failed > 0 || counts.skipped > 0) return 'skip';
      return allDone ? 'ready' : 'wait';
    case 'all_done':
      return allDone ? 'ready' : 'wait';
    case 'one_success':
      if (counts.succeeded > 0) return 'ready';
      return allDone ? 'skip' : 'wait';
    case 'one_failed':
      if (counts.failed > 0) return 'ready';
      return allDone ? 'skip' : 'wait';
    case 'none_failed':
      if (counts.failed > 0) return 'skip';
      return allDone ? 'ready' : 'wait';
  }
}
