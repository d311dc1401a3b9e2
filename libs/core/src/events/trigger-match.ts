import { evaluateCondition } from '../expressions/condition';
import type { ExpressionScope } from '../expressions/expression-scope';
import { renderValue } from '../expressions/render-value';
import type { TriggerDefinition } from '../workflow/workflow-definition';

/** An event as triggers read it: `{{ event.name }}`, `{{ event.id }}`, `{{ event.data.x }}`. */
export interface EventView {
  name: string;
  id: string;
  data: unknown;
}

/**
 * The inputs a trigger gives a run for this event, or undefined when its
 * filter says no. Evaluation never throws on data (see evaluate.ts): a filter
 * over a field the event lacks is false, an input mapped from it is null,
 * which the run's input check then refuses with its own reason.
 */
export function inputsForEvent(
  trigger: TriggerDefinition,
  event: EventView,
  workflow: { name: string; namespace: string },
): Record<string, unknown> | undefined {
  const scope: ExpressionScope = { inputs: {}, tasks: {}, run: { id: '' }, workflow, event };
  if (trigger.filter !== undefined && !evaluateCondition(trigger.filter, scope)) return undefined;
  return renderValue(trigger.inputs, scope) as Record<string, unknown>;
}

/** The source a trigger listens to, as the trigger index stores it: (kind, name). */
export type TriggerKind = 'event' | 'hook' | 'workflowRun';

export function triggerSourceOf(trigger: TriggerDefinition): { kind: TriggerKind; name: string } {
  if ('event' in trigger) return { kind: 'event', name: trigger.event };
  if ('hook' in trigger) return { kind: 'hook', name: trigger.hook.name };
  return { kind: 'workflowRun', name: trigger.workflowRun.name };
}
