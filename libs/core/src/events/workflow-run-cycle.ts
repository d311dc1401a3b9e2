import { findCycle } from '../dag/cycle-path';

/**
 * A loop of workflowRun triggers (a ends -> b starts -> ... -> a starts)
 * would start runs for ever. `upstreamOf` maps each workflow of a namespace
 * to the workflows whose runs start it. Returns the loop in run order
 * (`['a', 'b', 'a']`), or null.
 */
export function findWorkflowRunCycle(upstreamOf: ReadonlyMap<string, readonly string[]>): string[] | null {
  const nodes = [...upstreamOf].map(([name, dependsOn]) => ({ name, dependsOn }));
  return findCycle(nodes);
}
