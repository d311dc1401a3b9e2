import type { NotifiedRun } from '@flowctl/core';
import type { Queryable, RunRow } from '@flowctl/persistence';
import type { CompiledWorkflow } from '../../engine/compiled-workflow';

/** A notification names a few failed tasks, not all of a huge run's. */
export const MAX_FAILED_TASKS = 10;
/** Outputs of the last tasks go along while they are small; a receiver that wants more asks the API. */
export const MAX_OUTPUTS_BYTES = 64 * 1024;
const MAX_OUTPUT_TASKS = 20;

export interface RunReads {
  failedTasksOf(db: Queryable, runId: string, limit: number): Promise<NotifiedRun['failedTasks']>;
  outputs(db: Queryable, runId: string, names: readonly string[]): Promise<{ name: string; status: string; output: unknown }[]>;
}

/** The run as a notification describes it: its state, its failed tasks, and the outputs of its last tasks. */
export async function describeRun(
  db: Queryable,
  run: RunRow,
  workflow: CompiledWorkflow,
  reads: RunReads,
  dashboardUrl: string | undefined,
): Promise<NotifiedRun> {
  const lastTasks = workflow.definition.spec.tasks
    .map((task) => task.name)
    .filter((name) => workflow.dependentsOf(name).length === 0)
    .slice(0, MAX_OUTPUT_TASKS);
  const outputs: Record<string, unknown> = {};
  for (const task of await reads.outputs(db, run.id, lastTasks)) {
    if (task.status === 'succeeded' && task.output !== null && task.output !== undefined) outputs[task.name] = task.output;
  }
  return {
    id: run.id,
    namespace: run.namespace,
    workflow: run.workflowName,
    version: run.version,
    status: run.status,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    error: run.error ?? null,
    failedTasks: await reads.failedTasksOf(db, run.id, MAX_FAILED_TASKS),
    outputs: Buffer.byteLength(JSON.stringify(outputs)) <= MAX_OUTPUTS_BYTES ? outputs : {},
    ...(dashboardUrl ? { url: `${dashboardUrl}/runs/${encodeURIComponent(run.id)}` } : {}),
  };
}
